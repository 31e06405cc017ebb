using System.Globalization;

namespace Auspex.Anomalies.Internal;

/// <summary>
/// Ensemble of the residual, robust-seasonal and change-point detectors (each without its own likelihood
/// stage). The combined surprise is the largest member surprise, so each member covers what the others
/// miss (spikes, seasonal breaks, level or variance changes); the reason is the winning member's.
/// <para>
/// The weekly variant (<see cref="AnomalyDetectors.EnsembleWeekly"/>) adds a robust seasonal member with
/// time-of-week slots and lets it veto: once <see cref="WeeklyAfter"/> of history exist and the point's
/// time-of-week slot has a baseline, the residual and seasonal members' surprise counts only as far as the
/// weekly baseline agrees (the smaller of the two), so a quiet Sunday that the daily profiles call anomalous
/// is excused when Sundays are always quiet. The change-point member is not vetoed.
/// </para>
/// </summary>
internal sealed class EnsembleDetector : DetectorBase
{
    private static readonly TimeSpan WeeklyAfter = TimeSpan.FromDays(14);
    private readonly DetectorBase[] _members;
    private readonly RobustSeasonalDetector? _weekly;
    private long _firstTicks = long.MinValue;

    public EnsembleDetector(AnomalyDetectorOptions options)
        : this(AnomalyDetectors.Ensemble, options, weekly: false)
    {
    }

    public EnsembleDetector(string name, AnomalyDetectorOptions options, bool weekly)
        : base(name, options)
    {
        var inner = options with { Likelihood = false, WarmupPoints = 0 };
        _members = [new ResidualDetector(inner), new RobustSeasonalDetector(inner), new ChangePointDetector(inner)];
        _weekly = weekly ? new RobustSeasonalDetector(AnomalyDetectors.Seasonal + "-weekly", inner, weekly: true) : null;
    }

    protected override double Step(DateTimeOffset at, double value, out string reason)
    {
        if (_firstTicks == long.MinValue)
        {
            _firstTicks = at.UtcTicks;
        }
        Span<double> u = stackalloc double[3];
        Span<string?> why = new string?[3];
        for (var i = 0; i < _members.Length; i++)
        {
            var r = _members[i].Update(at, value);
            u[i] = MathUtil.SurpriseOfScore(r.Score);
            why[i] = r.Reason;
        }
        var best = Math.Max(u[0], Math.Max(u[1], u[2]));
        var winner = u[0] >= best ? 0 : u[1] >= best ? 1 : 2;
        reason = string.Create(CultureInfo.InvariantCulture, $"{_members[winner].Name}: {why[winner]}");
        if (_weekly is not null)
        {
            var w = _weekly.Update(at, value);
            var uWeekly = MathUtil.SurpriseOfScore(w.Score);
            if (_weekly.SlotReady && at.UtcTicks - _firstTicks >= WeeklyAfter.Ticks)
            {
                var daily = Math.Max(u[0], u[1]);
                var vetoed = Math.Min(daily, uWeekly);
                if (u[2] >= vetoed)
                {
                    best = u[2];
                    reason = string.Create(CultureInfo.InvariantCulture, $"{_members[2].Name}: {why[2]}");
                }
                else
                {
                    best = vetoed;
                    reason = vetoed < daily
                        ? string.Create(CultureInfo.InvariantCulture, $"{_weekly.Name}: {w.Reason}")
                        : string.Create(CultureInfo.InvariantCulture, $"{_members[winner].Name}: {why[winner]}; weekly agrees");
                }
            }
        }
        return MathUtil.ScoreOfSurprise(best);
    }

    protected override void WritePayload(BinaryWriter writer)
    {
        foreach (var m in _members)
        {
            m.Write(writer);
        }
        if (_weekly is not null)
        {
            _weekly.Write(writer);
            writer.Write(_firstTicks);
        }
    }

    protected override void ReadPayload(BinaryReader reader)
    {
        foreach (var m in _members)
        {
            m.Read(reader);
        }
        if (_weekly is not null)
        {
            _weekly.Read(reader);
            _firstTicks = reader.ReadInt64();
        }
    }
}
