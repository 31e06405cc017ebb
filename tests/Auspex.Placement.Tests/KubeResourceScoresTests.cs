using Auspex.Placement.Scores;

namespace Auspex.Placement.Tests;

public sealed class KubeResourceScoresTests
{
    private static readonly double[] Unit = [1, 1];

    [Theory]
    // kube-scheduler's least_allocated_test: cpu (4000−3000)·100/4000 = 25, memory (10000−5000)·100/10000 = 50 → 37.
    [InlineData(3000, 4000, 5000, 10000, 37)]
    [InlineData(0, 4000, 0, 10000, 100)]
    [InlineData(4000, 4000, 10000, 10000, 0)]
    // requested above allocatable scores 0 for that resource: (0 + 50) / 2 = 25.
    [InlineData(5000, 4000, 5000, 10000, 25)]
    // floors per resource: (4000 − 1) · 100 / 4000 = 99.975 → 99; memory 100 → 99.5 → 99.
    [InlineData(1, 4000, 0, 10000, 99)]
    public void LeastAllocated_MatchesKubeSchedulerFormula(double cpuReq, double cpuAlloc, double memReq, double memAlloc, double expected) =>
        Assert.Equal(expected, KubeResourceScores.LeastAllocated([cpuReq, memReq], [cpuAlloc, memAlloc], Unit));

    [Fact]
    public void LeastAllocated_ZeroAllocatableScoresZeroAndZeroWeightsScoreZero()
    {
        Assert.Equal(50, KubeResourceScores.LeastAllocated([0, 0], [0, 10], Unit));
        Assert.Equal(0, KubeResourceScores.LeastAllocated([0, 0], [10, 10], [0, 0]));
    }

    [Theory]
    // fractions 0.75 and 0.5: std |0.75 − 0.5| / 2 = 0.125 → ⌊87.5⌋ = 87.
    [InlineData(3000, 4000, 5000, 10000, 87)]
    [InlineData(2000, 4000, 5000, 10000, 100)]
    // fractions clamp at 1: min(8000/4000, 1) = 1 and 0 → std 0.5 → 50.
    [InlineData(8000, 4000, 0, 10000, 50)]
    public void BalancedAllocation_MatchesKubeSchedulerFormula(double cpuReq, double cpuAlloc, double memReq, double memAlloc, double expected) =>
        Assert.Equal(expected, KubeResourceScores.BalancedAllocation([cpuReq, memReq], [cpuAlloc, memAlloc]));

    [Fact]
    public void BalancedAllocation_ThreeResourcesUsesPopulationStandardDeviation()
    {
        // fractions 0.2, 0.5, 0.8: mean 0.5, std sqrt((0.09 + 0 + 0.09) / 3) = 0.2449 → ⌊75.5⌋ = 75.
        Assert.Equal(75, KubeResourceScores.BalancedAllocation([2, 5, 8], [10, 10, 10]));
        // a resource without allocatable is left out; one fraction left → std 0 → 100.
        Assert.Equal(100, KubeResourceScores.BalancedAllocation([2, 5], [10, 0]));
    }
}
