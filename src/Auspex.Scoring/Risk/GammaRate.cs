namespace Auspex.Scoring;

/// <summary>
/// A gamma distribution over a failure rate (failures per hour): shape a, rate b (b is a pseudo-exposure in hours).
/// Its mean is a / b. With Poisson failures, the chance of at least one failure in t hours, averaged over the rate's
/// uncertainty, is 1 − (b / (b + m·t))^a for a rate multiplier m.
/// </summary>
/// <param name="Shape">a &gt; 0.</param>
/// <param name="Rate">b &gt; 0, in hours.</param>
public readonly record struct GammaRate(double Shape, double Rate)
{
    /// <summary>Posterior mean failures per hour.</summary>
    public double MeanPerHour => Shape / Rate;

    /// <summary>The posterior after observing <paramref name="failures"/> in <paramref name="exposureHours"/>.</summary>
    public GammaRate Update(double failures, double exposureHours) => new(Shape + failures, Rate + exposureHours);

    /// <summary>
    /// Probability of at least one failure within <paramref name="horizon"/> (gamma–Poisson predictive), with the rate
    /// scaled by <paramref name="multiplier"/> (covariates; 1 = none).
    /// </summary>
    public double ProbabilityOfFailure(TimeSpan horizon, double multiplier = 1)
    {
        var t = Math.Max(0, horizon.TotalHours) * Math.Max(0, multiplier);
        if (t == 0 || Shape <= 0)
        {
            return 0;
        }
        // 1 − exp(a·ln(b/(b+t))) computed without cancellation.
        return -double.ExpM1(-Shape * double.LogP1(t / Rate));
    }
}
