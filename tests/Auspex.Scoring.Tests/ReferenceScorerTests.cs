using Auspex.Scoring.Internal;
using Auspex.Scoring.Tests.Reference;
using Xunit;

namespace Auspex.Scoring.Tests;

/// <summary>
/// The optimised <see cref="LocalityScorer"/> against the straightforward path it replaced (kept verbatim under
/// Reference/): same localities in the same order, every number within 1e-9 and every explanation identical, on
/// random fleets, over several ticks of one scorer (so the per-topology caches are exercised too).
/// </summary>
public sealed class ReferenceScorerTests
{
    private const double Tolerance = 1e-9;

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public void Optimised_pass_matches_the_reference_path(int seed, bool extras)
    {
        var fleet = RandomFleet.Create(seed, withExtras: extras);
        var fast = new LocalityScorer();
        var reference = new ReferenceLocalityScorer();
        // Ticks: the first (fits and caches), a later one in the same hour (cached model), one an hour on (refit),
        // one with a fitted model passed in, and one with another latency matrix (the proximity cache must follow).
        var model = FailureRateModel.Fit(FailureHistory.HostExposures(fleet.Topology, fleet.Topology.Failures, fleet.At - TimeSpan.FromDays(200), fleet.At));
        var ticks = new (DateTimeOffset At, ScoringContext Context)[]
        {
            (fleet.At, fleet.Context),
            (fleet.At + TimeSpan.FromMinutes(5), fleet.Context),
            (fleet.At + TimeSpan.FromHours(1), fleet.Context),
            (fleet.At + TimeSpan.FromHours(13), fleet.Context with { FailureModel = model }),
            (fleet.At, fleet.Context with { Latency = new LatencyMatrix([("r0z0", "r0z1", 3.5)]) }),
        };
        foreach (var (at, context) in ticks)
        {
            Same(reference.Assess(fleet.Topology, fleet.Forecasts, at, context), fast.Assess(fleet.Topology, fleet.Forecasts, at, context));
        }
    }

    [Fact]
    public void Fleet_without_any_risk_evidence_or_traffic_matches_too()
    {
        var fleet = RandomFleet.Create(7, withExtras: false);
        var created = Auspex.Core.Topology.Topology.Create(fleet.Topology.Tenant, fleet.Topology.Localities, tiers: fleet.Topology.Tiers);
        var bare = created.Topology ?? throw new InvalidOperationException(string.Join("; ", created.Errors));
        Same(new ReferenceLocalityScorer().Assess(bare, fleet.Forecasts, fleet.At), new LocalityScorer().Assess(bare, fleet.Forecasts, fleet.At));
    }

    [Fact]
    public void The_far_tail_cut_off_is_exact()
    {
        // The capacity fast path returns 0 for 1 − Φ(y) when y ≥ FarTail without computing Φ: Φ must round to 1 there.
        for (var y = CapacityColumns.FarTail; y < 60; y += 0.001)
        {
            Assert.Equal(0.0, 1 - SpecialFunctions.NormalCdf(y));
        }
        Assert.Equal(0.0, 1 - SpecialFunctions.NormalCdf(double.PositiveInfinity));
        Assert.NotEqual(0.0, 1 - SpecialFunctions.NormalCdf(7));
    }

    private static void Same(ScoringReport expected, ScoringReport actual)
    {
        Assert.Equal(expected.At, actual.At);
        Assert.Equal(expected.Weights, actual.Weights);
        Assert.Equal(expected.Scores.Select(s => s.Locality), actual.Scores.Select(s => s.Locality));
        Assert.NotEmpty(expected.Scores);
        for (var i = 0; i < expected.Scores.Count; i++)
        {
            var (e, a) = (expected.Scores[i], actual.Scores[i]);
            Close(e.Desirability, a.Desirability, e.Locality);
            Assert.Equal(e.Parts.Keys, a.Parts.Keys);
            foreach (var (name, part) in e.Parts)
            {
                Close(part.Value, a.Parts[name].Value, $"{e.Locality} {name}");
                Assert.Equal(part.Weight, a.Parts[name].Weight);
                Assert.Equal(part.Explanation, a.Parts[name].Explanation);
            }
        }
        Assert.Equal(expected.Details.Keys, actual.Details.Keys);
        foreach (var (id, e) in expected.Details)
        {
            var a = actual.Details[id];
            Assert.Equal(e.Kind, a.Kind);
            Assert.Equal(e.Capacity.Count, a.Capacity.Count);
            for (var i = 0; i < e.Capacity.Count; i++)
            {
                var (x, y) = (e.Capacity[i], a.Capacity[i]);
                Assert.Equal((x.Locality, x.Resource, x.Hosts, x.PeakAt, x.LikelyExhaustedBy, x.Horizon), (y.Locality, y.Resource, y.Hosts, y.PeakAt, y.LikelyExhaustedBy, y.Horizon));
                Close(x.Capacity, y.Capacity, id);
                Close(x.PeakQuantile, y.PeakQuantile, id);
                Close(x.Headroom, y.Headroom, id);
                Close(x.ProbabilityWithinHorizon, y.ProbabilityWithinHorizon, id);
                Close(x.ExpectedTimeToExhaustion.TotalSeconds, y.ExpectedTimeToExhaustion.TotalSeconds, id);
                Close(x.Value, y.Value, id);
            }
            Assert.Equal(e.Risk is null, a.Risk is null);
            if (e.Risk is { } er && a.Risk is { } ar)
            {
                Close(er.Probability, ar.Probability, id);
                Close(er.RatePerYear, ar.RatePerYear, id);
                Close(er.Multiplier, ar.Multiplier, id);
                Close(er.Value, ar.Value, id);
                Assert.Equal((er.Hosts, er.HostsInMaintenance, er.Horizon), (ar.Hosts, ar.HostsInMaintenance, ar.Horizon));
                Assert.Equal(er.Reasons, ar.Reasons);
            }
            Assert.Equal(e.Cost is null, a.Cost is null);
            if (e.Cost is { } ec && a.Cost is { } ac)
            {
                Close(ec.PerHour, ac.PerHour, id);
                Close(ec.EnergyPerHour, ac.EnergyPerHour, id);
                Close(ec.PerCoreHour, ac.PerCoreHour, id);
                Close(ec.Value, ac.Value, id);
                Assert.Equal(ec.HostsPriced, ac.HostsPriced);
                Assert.Equal(ec.Sources, ac.Sources);
            }
            Assert.Equal(e.Proximity, a.Proximity);
        }
        Assert.Equal(expected.Components.Count, actual.Components.Count);
        for (var i = 0; i < expected.Components.Count; i++)
        {
            var (e, a) = (expected.Components[i], actual.Components[i]);
            Assert.Equal(e.Component, a.Component);
            Close(e.Hps, a.Hps, e.Component);
            Assert.Equal(e.Reasons, a.Reasons);
        }
    }

    private static void Close(double expected, double actual, string where)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), where);
            return;
        }
        Assert.True(Math.Abs(expected - actual) <= Tolerance, $"{where}: expected {expected:R}, got {actual:R}");
    }
}
