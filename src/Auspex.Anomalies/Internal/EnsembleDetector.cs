using System.Globalization;

namespace Auspex.Anomalies.Internal;

/// <summary>
/// Ensemble of the residual, robust-seasonal and change-point detectors (each without its own likelihood
/// stage). The combined surprise is the largest member surprise, so each member covers what the others
/// miss (spikes, seasonal breaks, level or variance changes); the reason is the winning member's.
/// </summary>
internal sealed class EnsembleDetector : DetectorBase
{
    private readonly DetectorBase[] _members;

    public EnsembleDetector(AnomalyDetectorOptions options)
        : base(AnomalyDetectors.Ensemble, options)
    {
        var inner = options with { Likelihood = false, WarmupPoints = 0 };
        _members = [new ResidualDetector(inner), new RobustSeasonalDetector(inner), new ChangePointDetector(inner)];
    }

    protected override double Step(DateTimeOffset at, double value, out string reason)
    {
        var best = 0.0;
        reason = string.Empty;
        foreach (var m in _members)
        {
            var r = m.Update(at, value);
            var u = MathUtil.SurpriseOfScore(r.Score) * Weight(m);
            if (u >= best)
            {
                best = u;
                reason = string.Create(CultureInfo.InvariantCulture, $"{m.Name}: {r.Reason}");
            }
        }
        return MathUtil.ScoreOfSurprise(best);
    }

    private static double Weight(DetectorBase m) => 1.0;

    protected override void WritePayload(BinaryWriter writer)
    {
        foreach (var m in _members)
        {
            m.Write(writer);
        }
    }

    protected override void ReadPayload(BinaryReader reader)
    {
        foreach (var m in _members)
        {
            m.Read(reader);
        }
    }
}
