using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Placement.Selection;
using static Auspex.Placement.Tests.Fixtures;

namespace Auspex.Placement.Tests;

public sealed class SamplingTests
{
    private static Topology Big(int racks, int hostsPerRack)
    {
        var locs = new List<Locality>
        {
            new("r1", LocalityKind.Region, null, ResourceVector.Zero, null, Labels.Empty),
            new("z1", LocalityKind.Zone, "r1", ResourceVector.Zero, null, Labels.Empty),
        };
        for (var r = 0; r < racks; r++)
        {
            locs.Add(new($"rack-{r}", LocalityKind.Rack, "z1", ResourceVector.Zero, null, Labels.Empty));
            for (var h = 0; h < hostsPerRack; h++)
            {
                // Every third host is too small for the request: it must be ruled out with a reason.
                var cpu = h % 3 == 0 ? 0.5 : 8;
                locs.Add(new($"h-{r}-{h}", LocalityKind.Host, $"rack-{r}", ResourceVector.Of((ResourceKind.Cpu, cpu), (ResourceKind.Memory, 16 * GiB)), null, Labels.Empty));
            }
        }
        return Topology.Create(TenantId.Default, locs).Topology!;
    }

    [Theory]
    [InlineData(50, 0, 50)]       // below 100 hosts: all
    [InlineData(1000, 0, 420)]    // 50 − 1000/125 = 42 %
    [InlineData(5000, 0, 500)]    // 50 − 40 = 10 %
    [InlineData(10000, 0, 500)]   // floor of 5 %
    [InlineData(1500, 0, 570)]    // 38 %
    [InlineData(1000, 5, 100)]    // never fewer than 100
    [InlineData(1000, 100, 1000)] // every host
    public void FeasibleToFind_FollowsKubeSchedulersRule(int hosts, int percentage, int expected) =>
        Assert.Equal(expected, LocalitySelector.FeasibleToFind(hosts, percentage));

    [Fact]
    public void SelectLocality_OnALargeFleet_LooksAtASampleDeterministicallyPerSeed()
    {
        var t = Big(40, 25);
        var snapshot = Snapshot(t);
        var selector = LocalitySelection.Create(new PlacementOptions { IndexedCandidates = 0 });
        var request = Request(cpu: 1);
        var a = Assert.IsType<PlacementOutcome.Placed>(selector.SelectLocality(request, snapshot, 3));
        var b = Assert.IsType<PlacementOutcome.Placed>(selector.SelectLocality(request, snapshot, 3));
        Assert.Equal(a.Host, b.Host);
        Assert.Equal(420, a.Feasible);                   // stopped once 42 % of the fleet was found feasible
        Assert.InRange(a.Rejected, 150, 300);            // about a third of the hosts looked at were too small
        var everything = LocalitySelection.Create(new PlacementOptions { PercentageOfHostsToScore = 100, IndexedCandidates = 0 });
        var all = Assert.IsType<PlacementOutcome.Placed>(everything.SelectLocality(request, snapshot, 3));
        Assert.Equal(640, all.Feasible);
        Assert.Equal(360, all.Rejected);
        // Different seeds start elsewhere, so every host stays reachable.
        var hosts = Enumerable.Range(0, 40).Select(s => ((PlacementOutcome.Placed)selector.SelectLocality(request, snapshot, s)).Host).Distinct().Count();
        Assert.True(hosts > 5, $"only {hosts} distinct hosts over 40 seeds");
    }

    [Fact]
    public void Evaluate_AlwaysLooksAtEveryHost_AndBuildsReasonsOnDemand()
    {
        var t = Big(40, 25);
        var e = LocalitySelection.Create().Evaluate(Request(cpu: 1), Snapshot(t));
        Assert.Equal(1000, e.Examined);
        Assert.Equal(640, e.FeasibleCount);
        Assert.Equal(360, e.RejectedCount);
        var r = e.Rejections[0];
        Assert.Equal(("h-0-0", "Fit"), (r.Host, r.Plugin));
        Assert.StartsWith("insufficient cpu", r.Reason, StringComparison.Ordinal);
        Assert.Single(e.RejectionSummary());
    }

    [Fact]
    public void Options_BadPercentage_IsRefused() =>
        Assert.Throws<ArgumentException>(() => LocalitySelection.Create(new PlacementOptions { PercentageOfHostsToScore = 101 }));
}
