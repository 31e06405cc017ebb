namespace Auspex.Scoring;

/// <summary>The covariate formula of the Failure Risk Score, public for known-value tests.</summary>
public static class RiskMath
{
    /// <summary>
    /// The multiplier on a host's failure rate: 2^((T − T_ref)/T_double) above the temperature reference, times
    /// L_full^((u − u_ref)/(1 − u_ref)) above the load reference, times A_one^a for anomaly score a (0–1). Each factor is
    /// 1 when its covariate is unknown or below its reference, so the multiplier is never below 1 and never falls as a
    /// covariate rises.
    /// </summary>
    public static double Multiplier(HostCovariates c, ScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var log = 0.0;
        if (c.TemperatureCelsius is { } t && t > options.TemperatureReferenceCelsius)
        {
            log += Math.Log(2) * (t - options.TemperatureReferenceCelsius) / options.TemperatureDoublingCelsius;
        }
        if (c.Utilisation is { } u && u > options.LoadReference)
        {
            log += Math.Log(options.LoadMultiplierAtFull) * (Math.Min(u, 2) - options.LoadReference) / (1 - options.LoadReference);
        }
        if (c.AnomalyScore is { } a && a > 0)
        {
            log += Math.Log(options.AnomalyMultiplierAtOne) * ScoreNormalizer.Clamp01(a);
        }
        return Math.Exp(Math.Min(log, 50));
    }
}
