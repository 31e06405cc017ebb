using Auspex.Core.Resources;
using Auspex.Core.Scores;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Placement.Selection;
using static Auspex.Placement.Tests.Fixtures;
using static Auspex.Testing.Builders;

namespace Auspex.Placement.Tests;

/// <summary>Decisions through the snapshot's candidate index (PlacementOptions.IndexedCandidates).</summary>
public sealed class CandidateIndexTests
{
    /// <summary>Two zones of <paramref name="racks"/>/2 racks of <paramref name="hostsPerRack"/> hosts; every third host too small for 1 core.</summary>
    private static Topology Big(int racks, int hostsPerRack, IEnumerable<Component>? components = null, IEnumerable<DependencyEdge>? edges = null, Policy? policy = null)
    {
        var locs = new List<Locality>
        {
            new("r1", LocalityKind.Region, null, ResourceVector.Zero, null, Labels.Empty),
            new("z1", LocalityKind.Zone, "r1", ResourceVector.Zero, null, Labels.Empty),
            new("z2", LocalityKind.Zone, "r1", ResourceVector.Zero, null, Labels.Empty),
        };
        for (var r = 0; r < racks; r++)
        {
            locs.Add(new($"rack-{r}", LocalityKind.Rack, r < racks / 2 ? "z1" : "z2", ResourceVector.Zero, null, Labels.Empty));
            for (var h = 0; h < hostsPerRack; h++)
            {
                var cpu = h % 3 == 0 ? 0.5 : 8 + h % 5;
                locs.Add(new($"h-{r}-{h}", LocalityKind.Host, $"rack-{r}", ResourceVector.Of((ResourceKind.Cpu, cpu), (ResourceKind.Memory, 16 * GiB)), null, Labels.Empty));
            }
        }
        var res = Topology.Create(TenantId.Default, locs, components, edges, null, null, null, null, policy);
        return res.Topology ?? throw new InvalidOperationException(string.Join("; ", res.Errors));
    }

    private static LocalityScore[] RackScores(int racks) =>
        Enumerable.Range(0, racks).Select(r => new LocalityScore($"rack-{r}", T0, (r * 37 % racks) / (double)racks, new Dictionary<string, ScorePart>())).ToArray();

    private static readonly PlacementOptions Full = new() { Steering = SteeringMode.Greedy, PercentageOfHostsToScore = 100, IndexedCandidates = 0 };

    [Fact]
    public void Greedy_ThroughTheIndex_ChoosesTheSameHostAsTheFullEvaluation_LookingAtFewHosts()
    {
        var t = Big(40, 25);
        var usage = t.Hosts.Where((_, i) => i % 7 == 0).Select(h => Usage(h.Id, ResourceKind.Cpu, mean: 1, p95: 4)).ToList();
        var s = Snapshot(t, usage, RackScores(40));
        var indexed = Assert.IsType<PlacementOutcome.Placed>(Greedy().SelectLocality(Request(cpu: 1), s, 1));
        var full = Assert.IsType<PlacementOutcome.Placed>(LocalitySelection.Create(Full).SelectLocality(Request(cpu: 1), s, 1));
        Assert.Equal(full.Host, indexed.Host);
        Assert.Equal(full.Score, indexed.Score, 9);
        Assert.Equal(32, indexed.Feasible);
        Assert.True(indexed.Feasible + indexed.Rejected < 100, $"looked at {indexed.Feasible + indexed.Rejected} hosts");
    }

    [Fact]
    public void Softmax_ThroughTheIndex_IsDeterministicPerSeed_AndSpreadsOverTheBestHosts()
    {
        var s = Snapshot(Big(40, 25), scores: RackScores(40));
        var selector = LocalitySelection.Create();
        var a = (PlacementOutcome.Placed)selector.SelectLocality(Request(cpu: 1), s, 5);
        var b = (PlacementOutcome.Placed)selector.SelectLocality(Request(cpu: 1), s, 5);
        Assert.Equal(a.Host, b.Host);
        var chosen = Enumerable.Range(0, 200).Select(i => ((PlacementOutcome.Placed)selector.SelectLocality(Request(cpu: 1), s, i)).Host).Distinct().Count();
        Assert.InRange(chosen, 5, 32);
        Assert.True(a.Parts.Count >= 3 && a.Alternatives.Count == 5);
    }

    [Fact]
    public void Filters_StillApply_ForcedRackFarDownTheOrder_IsFound()
    {
        // rack-0 has desirability 0: last in the index order; policy forces the service there.
        var policy = Policy.Default with { Overrides = [new PlacementOverride("rack-0", OverrideMode.Force, "api", "compliance test")] };
        var s = Snapshot(Big(40, 25, policy: policy), scores: RackScores(40));
        var o = Assert.IsType<PlacementOutcome.Placed>(LocalitySelection.Create().SelectLocality(Request(cpu: 1), s, 2));
        Assert.StartsWith("h-0-", o.Host, StringComparison.Ordinal);
        Assert.Equal(16, o.Feasible);  // the rack's 16 hosts big enough: the walk went through the whole fleet
    }

    [Fact]
    public void Forbidden_TopRacks_AreNeverChosen()
    {
        var scores = RackScores(40);
        var best = scores.OrderByDescending(x => x.Desirability).Take(5).Select(x => x.Locality).ToArray();
        var policy = Policy.Default with { Overrides = best.Select(r => new PlacementOverride(r, OverrideMode.Forbid, "*", "drained")).ToList() };
        var s = Snapshot(Big(40, 25, policy: policy), scores: scores);
        var selector = LocalitySelection.Create();
        for (var i = 0; i < 50; i++)
        {
            var o = Assert.IsType<PlacementOutcome.Placed>(selector.SelectLocality(Request(cpu: 1), s, i));
            Assert.DoesNotContain(o.Host.Split('-')[1], best.Select(r => r.Split('-')[1]));
        }
    }

    [Fact]
    public void ChattyPeer_InAnUndesirableRack_ItsRackIsLookedAt()
    {
        // The cache runs in rack-0 (desirability 0, last in the order); a 10,000 calls/s edge makes proximity count.
        var cache = new Component("cache", "cache", ResourceVector.Of((ResourceKind.Cpu, 0.5), (ResourceKind.Memory, GiB)), 1, ["h-0-1"], []);
        var api = new Component("api", "api", ResourceVector.Of((ResourceKind.Cpu, 0.5), (ResourceKind.Memory, GiB)), 0, [], []);
        var t = Big(40, 25, [cache, api], [new DependencyEdge("api", "cache", 10_000, 0)]);
        var s = Snapshot(t, scores: RackScores(40));
        var o = Assert.IsType<PlacementOutcome.Placed>(Greedy(o => o.ProximityWeight = 10).SelectLocality(Request(cpu: 1), s, 0));
        var full = Assert.IsType<PlacementOutcome.Placed>(LocalitySelection.Create(new PlacementOptions { Steering = SteeringMode.Greedy, PercentageOfHostsToScore = 100, IndexedCandidates = 0, ProximityWeight = 10 }).SelectLocality(Request(cpu: 1), s, 0));
        Assert.Equal(full.Host, o.Host);
        Assert.StartsWith("h-0-", o.Host, StringComparison.Ordinal);
    }

    [Fact]
    public void NoHostFits_IsInfeasible_WithReasons()
    {
        var s = Snapshot(Big(40, 25));
        var o = Assert.IsType<PlacementOutcome.Infeasible>(LocalitySelection.Create().SelectLocality(Request(cpu: 64), s, 0));
        Assert.Contains(o.Reasons, r => r.StartsWith("Fit: 1000 host(s)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10_001)]
    public void Options_BadIndexedCandidates_AreRefused(int k) =>
        Assert.Throws<ArgumentException>(() => LocalitySelection.Create(new PlacementOptions { IndexedCandidates = k }));
}
