using Auspex.Simulation.Policies;
using Auspex.Simulation.Traces;
using Auspex.Simulation.World;

namespace Auspex.Simulation.Tests;

public sealed class SimulatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DemandTrace Trace(Func<int, double> f, int minutes) => DemandTrace.Create("synthetic", T0, TimeSpan.FromMinutes(1), Enumerable.Range(0, minutes).Select(f).ToList()).Trace!;

    private static readonly WorldOptions Quiet = new() { FailureRatePerHour = 0, WarmUp = TimeSpan.Zero, Tiers = [WorldOptions.DefaultTiers[0]] };

    private sealed class Fixed(int n, string name = "fixed") : IScalingPolicy
    {
        public string Name => name;

        public IReadOnlyDictionary<string, int>? Decide(PolicyContext context) => new Dictionary<string, int> { [context.DefaultTier] = n };
    }

    [Fact]
    public void Run_FlatLoadWithAmpleCapacity_HasNoViolationAndTheExpectedSlackAndCost()
    {
        // Peak rescaled to 40 replicas at full use; 80 fixed replicas run at 50 %.
        var (r, errors) = Simulator.Run(Trace(_ => 600, 120), [new Fixed(80)], Quiet);
        Assert.Empty(errors);
        var p = r!.Policies.Single();
        Assert.Equal(0, p.SloViolationMinutes);
        Assert.Equal(0.5, p.MeanSlack, 6);
        Assert.Equal(80 * 2 * 0.10, p.Cost, 6);
        Assert.Equal(1, p.ScalingActions);
    }

    [Fact]
    public void Run_TooFewReplicas_ViolatesEveryMinuteAndDrops()
    {
        var (r, _) = Simulator.Run(Trace(_ => 600, 60), [new Fixed(30)], Quiet);
        var p = r!.Policies.Single();
        Assert.Equal(60, p.SloViolationMinutes, 6);
        Assert.True(p.DroppedFraction > 0.2);
        Assert.Equal(0, p.MeanSlack, 6);
    }

    [Fact]
    public void Run_StepUp_HpaViolatesUntilItsNewReplicasAreReady()
    {
        // Load jumps ×4 at minute 60; new replicas need the 3-minute lead time, so the HPA misses at least 3 minutes.
        var trace = Trace(i => i < 60 ? 150 : 600, 120);
        var (r, _) = Simulator.Run(trace, [new HpaPolicy(), new StaticPolicy(600 * Simulator.ScaleFor(trace, Quiet) / 60)], Quiet);
        var hpa = r!.Policies[0];
        var stat = r.Policies[1];
        Assert.InRange(hpa.SloViolationMinutes, 3, 15);
        Assert.Equal(0, stat.SloViolationMinutes);
        Assert.True(hpa.Cost < stat.Cost);
        Assert.True(hpa.ScalingActions >= 2);
    }

    [Fact]
    public void Run_SameSeed_SameResult_AndPreemptionsHappenOnlyOnSpot()
    {
        var world = Quiet with { Tiers = [WorldOptions.DefaultTiers[1] with { PreemptionProbabilityPerHour = 0.5 }] };
        var trace = Trace(_ => 600, 600);
        var a = Simulator.Run(trace, [new Fixed(80)], world).Result!.Policies.Single();
        var b = Simulator.Run(trace, [new Fixed(80)], world).Result!.Policies.Single();
        Assert.Equal(a, b);
        Assert.True(a.Preemptions > 10);
        var none = Simulator.Run(trace, [new Fixed(80)], Quiet).Result!.Policies.Single();
        Assert.Equal(0, none.Preemptions);
    }

    [Fact]
    public void Run_ReplayedFailures_TakeReplicasDown()
    {
        var world = Quiet with { ReplayedFailures = [TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(20)] };
        var p = Simulator.Run(Trace(_ => 600, 60), [new Fixed(80)], world).Result!.Policies.Single();
        Assert.Equal(2, p.Failures);
    }

    [Fact]
    public void Run_BadOptions_ListsEveryProblem()
    {
        var (r, errors) = Simulator.Run(Trace(_ => 1, 60), [new Fixed(1), new Fixed(2)], Quiet with { Tick = TimeSpan.Zero, WorkersPerReplica = 0 });
        Assert.Null(r);
        Assert.Contains(errors, e => e.Contains("tick", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("workers", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("given twice", StringComparison.Ordinal));
        Assert.Contains(Simulator.Run(Trace(_ => 0, 60), [new Fixed(1)], Quiet).Errors, e => e.Contains("no demand", StringComparison.Ordinal));
        Assert.Contains(Simulator.Run(Trace(_ => 1, 60), [new Fixed(1)], Quiet with { WarmUp = TimeSpan.FromDays(1) }).Errors, e => e.Contains("warm-up", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_WarmUp_IsNotMeasured()
    {
        // Violating during the first hour only: with a one-hour warm-up nothing is counted.
        var trace = Trace(i => i < 60 ? 6000 : 600, 120);
        var p = Simulator.Run(trace, [new Fixed(80)], Quiet with { WarmUp = TimeSpan.FromHours(1) }).Result!;
        Assert.Equal(0, p.Policies.Single().SloViolationMinutes);
        Assert.Equal(T0.AddHours(1), p.Start);
    }

    [Fact]
    public void Run_AllPolicies_OnASeasonalTrace_AuspexForecastsAndStaysWithinBounds()
    {
        // Two days of a daily cycle at 1-minute steps, one-minute ticks: the forecasting policies fit after the first day.
        var trace = Trace(i => 1000 + 800 * Math.Sin(2 * Math.PI * i / 1440), 2 * 1440);
        var world = new WorldOptions { Seed = 7, Tick = TimeSpan.FromMinutes(1) };
        var scale = Simulator.ScaleFor(trace, world);
        var policies = PolicyCatalog.Default.Select(n => PolicyCatalog.Create(n, trace.PeakRate * scale, "snaive")!).ToList();
        var (r, errors) = Simulator.Run(trace, policies, world);
        Assert.Empty(errors);
        Assert.Equal(["hpa", "static", "aws", "auspex"], r!.Policies.Select(p => p.Policy));
        var auspex = r.Policies.Single(p => p.Policy == "auspex");
        Assert.True(auspex.Forecasts > 0);
        Assert.All(r.Policies, p => Assert.InRange(p.MeanSlack, 0, 1));
        Assert.All(r.Policies, p => Assert.True(p.Cost > 0));
        // A smooth daily cycle is what forecasting is for: Auspex violates no more than the HPA.
        Assert.True(auspex.SloViolationMinutes <= r.Policies.Single(p => p.Policy == "hpa").SloViolationMinutes + 1);
        Assert.Equal(r.Timeline.Count, (int)((trace.End - r.Start) / world.Tick));
    }
}
