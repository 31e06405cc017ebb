using Auspex.Core.Resources;
using Auspex.Core.Scores;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Placement.Selection;
using static Auspex.Placement.Tests.Fixtures;
using static Auspex.Testing.Builders;

namespace Auspex.Placement.Tests;

public sealed class LocalitySelectorTests
{
    private static Component Running(string id, double cpu, params string[] hosts) =>
        new(id, id, ResourceVector.Of((ResourceKind.Cpu, cpu), (ResourceKind.Memory, GiB)), hosts.Length, hosts, []);

    [Fact]
    public void SelectLocality_PredictedPeakAboveCapacity_RejectsHostEvenThoughRequestsFit()
    {
        var t = Grid();
        // No requests placed anywhere, but h111's p95 reaches 3.5 of 4 cores within the hour.
        var s = Snapshot(t, [Usage("h111", ResourceKind.Cpu, mean: 1, p95: 3.5)]);
        var e = Greedy().Evaluate(Request(cpu: 1), s);
        var r = Assert.Single(e.Rejections);
        Assert.Equal(("h111", "Fit"), (r.Host, r.Plugin));
        Assert.Contains("predicted p95 peak 3.5 cores", r.Reason, StringComparison.Ordinal);
        Assert.Equal(7, e.FeasibleCount);
    }

    [Fact]
    public void SelectLocality_NothingFits_ReturnsTypedInfeasibleWithReasons()
    {
        var outcome = Greedy().SelectLocality(Request(cpu: 8), Snapshot(Grid()), seed: 1);
        var inf = Assert.IsType<PlacementOutcome.Infeasible>(outcome);
        Assert.Equal(8, inf.Rejections.Count);
        Assert.StartsWith("Fit: 8 host(s)", Assert.Single(inf.Reasons), StringComparison.Ordinal);
        Assert.Contains("insufficient cpu", inf.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void SelectLocality_ForcedLocality_OnlyAdmitsHostsInside()
    {
        var policy = Policy.Default with { Overrides = [new PlacementOverride("rack21", OverrideMode.Force, "api", "compliance test")] };
        var e = Greedy().Evaluate(Request(), Snapshot(Grid(policy: policy)));
        Assert.Equal(["h211", "h212"], e.Candidates().Select(c => c.Host).Order().ToArray());
        Assert.All(e.Rejections, r => Assert.Equal("Override", r.Plugin));
    }

    [Fact]
    public void SelectLocality_ForbiddenZone_IsNeverChosen()
    {
        var policy = Policy.Default with { Overrides = [new PlacementOverride("z1", OverrideMode.Forbid, "*", "data residency")] };
        var e = Greedy().Evaluate(Request(), Snapshot(Grid(policy: policy)));
        Assert.All(e.Candidates(), c => Assert.StartsWith("h2", c.Host, StringComparison.Ordinal));
        Assert.Contains("data residency", e.Rejections[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SelectLocality_TierRestriction_ExcludesOtherTiers()
    {
        var e = Greedy().Evaluate(Request() with { Tiers = ["spot"] }, Snapshot(Grid()));
        Assert.Equal(["h221", "h222"], e.Candidates().Select(c => c.Host).Order().ToArray());
    }

    [Fact]
    public void SelectLocality_MaintenanceDuringLifetime_ExcludesTheRack()
    {
        var m = new MaintenanceWindow("rack11", new TimeRange(T0.AddMinutes(30), T0.AddHours(2)), "firmware");
        var e = Greedy().Evaluate(Request(), Snapshot(Grid(maintenance: [m])));
        Assert.Equal(2, e.Rejections.Count);
        Assert.All(e.Rejections, r => Assert.Equal("Maintenance", r.Plugin));
        // A request that ends before the window starts is unaffected.
        var early = Greedy().Evaluate(Request() with { Lifetime = new TimeRange(T0, T0.AddMinutes(30)) }, Snapshot(Grid(maintenance: [m])));
        Assert.Empty(early.Rejections);
    }

    [Fact]
    public void SelectLocality_RequiredAntiAffinityPerHost_AvoidsHostsRunningTheSelector()
    {
        var t = Grid(components: [Running("db", 1, "h111", "h211")]);
        var e = Greedy().Evaluate(Request() with { Affinity = [new AffinityTerm("db", LocalityKind.Host, Anti: true, Required: true)] }, Snapshot(t));
        Assert.Equal(["h111", "h211"], e.Rejections.Select(r => r.Host).Order().ToArray());
        Assert.All(e.Rejections, r => Assert.Equal("Affinity", r.Plugin));
    }

    [Fact]
    public void SelectLocality_RequiredAffinityPerRack_KeepsOnlyRacksWithTheSelector()
    {
        var t = Grid(components: [Running("db", 1, "h111")]);
        var e = Greedy().Evaluate(Request() with { Affinity = [new AffinityTerm("db", LocalityKind.Rack, Anti: false, Required: true)] }, Snapshot(t));
        Assert.Equal(["h111", "h112"], e.Candidates().Select(c => c.Host).Order().ToArray());
    }

    [Fact]
    public void SelectLocalities_ZoneSpreadMaxSkewOne_AlternatesZones()
    {
        var outcomes = Greedy().SelectLocalities(Request() with { Spread = [new SpreadConstraint(LocalityKind.Zone, 1)] }, Snapshot(Grid()), 4, seed: 3);
        var zones = outcomes.Cast<PlacementOutcome.Placed>().Select(p => p.Host[1]).ToArray();
        Assert.Equal(2, zones.Count(z => z == '1'));
        Assert.Equal(2, zones.Count(z => z == '2'));
        Assert.Equal(4, outcomes.Cast<PlacementOutcome.Placed>().Select(p => p.Host).Distinct().Count());
    }

    [Fact]
    public void SelectLocality_ChattyPeer_PrefersItsHostThenRack()
    {
        var t = Grid(components: [Running("cache", 0.5, "h211"), Running("api", 0.5)], edges: [new DependencyEdge("api", "cache", 500, 5e5)]);
        var e = Greedy(o => o.SpreadWeight = 0).Evaluate(Request(), Snapshot(t));
        var ranked = e.Candidates().OrderByDescending(c => c.Total).Select(c => c.Host).ToArray();
        Assert.Equal("h211", ranked[0]);
        Assert.Equal("h212", ranked[1]);
        var parts = e.Explain(e.IndexOf("h211"));
        var prox = parts.Single(p => p.Plugin == "Proximity");
        Assert.Equal(100, prox.Normalized, 9);
        Assert.Contains("cache", prox.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SelectLocality_Desirability_SteersTowardsTheDesirableZone()
    {
        var scores = new[]
        {
            new LocalityScore("z1", T0, 0.9, new Dictionary<string, ScorePart>()),
            new LocalityScore("z2", T0, 0.2, new Dictionary<string, ScorePart>()),
        };
        var s = Snapshot(Grid(), scores: scores);
        var sel = LocalitySelection.Create(new PlacementOptions { Temperature = 5 });
        var hits = Enumerable.Range(0, 400).Select(seed => ((PlacementOutcome.Placed)sel.SelectLocality(Request(), s, seed)).Host).ToList();
        var z1 = hits.Count(h => h.StartsWith("h1", StringComparison.Ordinal));
        Assert.True(z1 > 300, $"zone 1 chosen {z1} of 400 times");
        // …without always taking the same host: the four equally good hosts of zone 1 all get picked.
        Assert.Equal(4, hits.Where(h => h.StartsWith("h1", StringComparison.Ordinal)).Distinct().Count());
    }

    [Fact]
    public void SelectLocality_SameSeed_SameChoice()
    {
        var s = Snapshot(Fleet());
        var sel = LocalitySelection.Create();
        var req = Request("normal-2-2", 0.5, 1, "s-25464072");
        var a = (PlacementOutcome.Placed)sel.SelectLocality(req, s, 42);
        var b = (PlacementOutcome.Placed)sel.SelectLocality(req, s, 42);
        Assert.Equal(a.Host, b.Host);
        Assert.Equal(a.Probability, b.Probability);
    }

    [Fact]
    public void SelectLocality_Greedy_TakesTheTopAndExplainsEveryPlugin()
    {
        var t = Fleet();
        var s = Snapshot(t);
        var outcome = Greedy().SelectLocality(Request("normal-2-2", 0.5, 1, "s-25464072"), s, 0);
        var placed = Assert.IsType<PlacementOutcome.Placed>(outcome);
        Assert.Equal(1, placed.Probability);
        Assert.All(placed.Alternatives, a => Assert.True(a.Total <= placed.Score));
        Assert.Equal(["LeastAllocated", "BalancedAllocation", "Desirability", "Proximity", "Spread"], placed.Parts.Select(p => p.Plugin).ToArray());
        Assert.All(placed.Parts, p => Assert.InRange(p.Normalized, 0, 100));
        var weighted = placed.Parts.Sum(p => p.Weight * p.Normalized) / placed.Parts.Sum(p => p.Weight);
        Assert.Equal(placed.Score, weighted, 9);
        Assert.All(placed.Parts, p => Assert.False(string.IsNullOrWhiteSpace(p.Reason)));
    }

    [Fact]
    public void SelectLocality_SampleFleetMaintenance_IsRespectedDuringTheWindow()
    {
        var t = Fleet();
        var life = new TimeRange(new DateTimeOffset(2013, 8, 10, 1, 0, 0, TimeSpan.Zero), new DateTimeOffset(2013, 8, 10, 3, 0, 0, TimeSpan.Zero));
        var e = Greedy().Evaluate(Request("x", 0.1, 0.1) with { Lifetime = life }, Snapshot(t));
        Assert.Equal(["vm-067", "vm-274", "vm-310", "vm-416"], e.Rejections.Where(r => r.Plugin == "Maintenance").Select(r => r.Host).Order().ToArray());
    }

    [Fact]
    public void SelectLocality_UnknownCandidate_IsRejectedByTopology()
    {
        var e = Greedy().Evaluate(Request() with { CandidateHosts = ["h111", "nope"] }, Snapshot(Grid()));
        Assert.Equal(1, e.FeasibleCount);
        Assert.Equal(new Rejection("nope", "Topology", "not a host of the topology"), Assert.Single(e.Rejections));
    }

    [Fact]
    public void Options_InvalidValues_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => LocalitySelection.Create(new PlacementOptions { Temperature = 0 }));
        Assert.Throws<ArgumentException>(() => LocalitySelection.Create(new PlacementOptions { Quantile = 1 }));
        Assert.Throws<ArgumentException>(() => LocalitySelection.Create(new PlacementOptions { DesirabilityWeight = -1 }));
    }
}
