using Auspex.Core.Topology;
using Auspex.Simulation.Policies;
using Auspex.Simulation.Traces;
using Auspex.Simulation.World;

namespace Auspex.Simulation.Tests;

public sealed class SlackAndReportTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // One on-demand tier with no lead time, so replicas asked for serve at once and the figures can be computed by hand.
    private static readonly WorldOptions Instant = new()
    {
        FailureRatePerHour = 0,
        WarmUp = TimeSpan.Zero,
        Tiers = [new Tier("on-demand", "simulated", 0.10, 1.0, 0.0, TimeSpan.Zero)],
    };

    private sealed class Schedule(Func<TimeSpan, int> replicas) : IScalingPolicy
    {
        public string Name => "schedule";

        public IReadOnlyDictionary<string, int>? Decide(PolicyContext context) =>
            new Dictionary<string, int> { [context.DefaultTier] = replicas(context.Now - T0) };
    }

    // 60 min at 300 then 60 min at 600 per minute; the peak is rescaled to 40 replicas × 80 req/s = 3,200 req/s,
    // so the load is 1,600 req/s, then 3,200 req/s.
    private static DemandTrace TwoPhases() =>
        DemandTrace.Create("two-phases", T0, TimeSpan.FromMinutes(1), Enumerable.Range(0, 120).Select(i => i < 60 ? 300.0 : 600.0).ToList()).Trace!;

    private static Schedule FortyThenFifty() => new(t => t < TimeSpan.FromMinutes(60) ? 40 : 50);

    [Fact]
    public void MeanSlack_IsAutopilotsRelativeSlackAveragedOverTime()
    {
        // First hour: limit 40 × 80 = 3,200, usage 1,600 → slack 0.5. Second hour: limit 4,000, usage 3,200 → 0.2.
        // Averaged over time: (0.5 + 0.2) / 2 = 0.35. Weighted by capacity instead: (1,600 + 800) / 7,200 = 0.333.
        var (r, errors) = Simulator.Run(TwoPhases(), [FortyThenFifty()], Instant);
        Assert.Empty(errors);
        var p = r!.Policies.Single();
        Assert.Equal(0, p.SloViolationMinutes);
        Assert.Equal(0.35, p.MeanSlack, 6);
        Assert.Equal(2400.0 / 7200, p.CapacityWeightedSlack, 6);
        Assert.Equal(40 * 0.10 + 50 * 0.10, p.Cost, 6);
    }

    [Fact]
    public void ReportFrom_MeasuresOnlyThePartAfterIt_BesideTheWholeRun()
    {
        var (r, errors) = Simulator.Run(TwoPhases(), [FortyThenFifty()], Instant with { ReportFrom = TimeSpan.FromMinutes(60) });
        Assert.Empty(errors);
        Assert.Equal(T0.AddMinutes(60), r!.ReportedFrom);
        var whole = r.Policies.Single();
        var reported = r.Reported!.Single();
        Assert.Equal(0.35, whole.MeanSlack, 6);
        Assert.Equal(0.2, reported.MeanSlack, 6);
        Assert.Equal(9.0, whole.Cost, 6);
        Assert.Equal(5.0, reported.Cost, 6);
        Assert.Equal(50.0, reported.ReplicaHours, 6);
        Assert.Equal(50, reported.PeakReplicas);
        // One change of the desired replicas in the reported part (40 → 50), two in the whole run (0 → 40 → 50).
        Assert.Equal(1, reported.ScalingActions);
        Assert.Equal(2, whole.ScalingActions);
    }

    [Fact]
    public void ReportFrom_WithoutIt_NoReportedPart_AndOutsideTheTraceOrBeforeTheWarmUpIsAnError()
    {
        var (r, _) = Simulator.Run(TwoPhases(), [FortyThenFifty()], Instant);
        Assert.Null(r!.Reported);
        var (none, errors) = Simulator.Run(TwoPhases(), [FortyThenFifty()], Instant with { ReportFrom = TimeSpan.FromHours(3) });
        Assert.Null(none);
        Assert.Contains(errors, e => e.Contains("report-from", StringComparison.Ordinal) && e.Contains("two-phases", StringComparison.Ordinal));
        var early = Instant with { WarmUp = TimeSpan.FromMinutes(30), ReportFrom = TimeSpan.FromMinutes(10) };
        Assert.Contains(early.Validate(), e => e.Contains("report-from", StringComparison.Ordinal) && e.Contains("warm-up", StringComparison.Ordinal));
    }
}
