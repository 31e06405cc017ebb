using Auspex.Simulation.Policies;
using Auspex.Simulation.World;

namespace Auspex.Simulation.Tests;

public sealed class HpaPolicyTests
{
    private static readonly WorldOptions World = new();
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // Target per pod = 0.7 × 80 req/s = 56 req/s.
    private static PolicyContext Ctx(double observed, int ready, int pending, int desired, int seconds = 0) =>
        new(T0.AddSeconds(seconds), observed, [], T0, TimeSpan.FromMinutes(1),
            new Dictionary<string, int> { ["on-demand"] = ready, ["spot"] = 0 },
            new Dictionary<string, int> { ["on-demand"] = pending, ["spot"] = 0 },
            new Dictionary<string, int> { ["on-demand"] = desired, ["spot"] = 0 }, World, TimeProvider.System);

    [Fact]
    public void Recommend_RatioRule_CeilsCurrentTimesRatio()
    {
        // 4 pods at 84 req/s each: ratio 1.5 → ceil(4 × 1.5) = 6.
        Assert.Equal(6, new HpaPolicy().Recommend(Ctx(4 * 84, 4, 0, 4)));
    }

    [Fact]
    public void Recommend_WithinTolerance_KeepsTheCurrentCount()
    {
        // ratio 1.09 is within 10 %.
        Assert.Equal(4, new HpaPolicy().Recommend(Ctx(4 * 56 * 1.09, 4, 0, 4)));
        Assert.Equal(5, new HpaPolicy().Recommend(Ctx(4 * 56 * 1.11, 4, 0, 4)));
    }

    [Fact]
    public void Recommend_ScaleUp_IsLimitedToMaxOfDoubleAndFourPodsPerPeriod()
    {
        // ratio 10 from 2 pods wants 20; the limit is max(2 + 4, 2 × 2) = 6.
        var hpa = new HpaPolicy();
        Assert.Equal(6, hpa.Recommend(Ctx(2 * 560, 2, 0, 2)));
        // Within the same 15 s period the period started at 2, so nothing more is allowed.
        Assert.Equal(6, hpa.Recommend(Ctx(2 * 560, 2, 4, 6, seconds: 5)));
        // From 10 pods, +100 % beats +4: 20.
        Assert.Equal(20, new HpaPolicy().Recommend(Ctx(10 * 560, 10, 0, 10)));
    }

    [Fact]
    public void Recommend_ScaleDown_WaitsForTheStabilisationWindow()
    {
        var hpa = new HpaPolicy();
        Assert.Equal(10, hpa.Recommend(Ctx(10 * 56, 10, 0, 10, seconds: 0)));
        // Load halves: the highest recommendation of the last 5 minutes (10) holds.
        Assert.Equal(10, hpa.Recommend(Ctx(5 * 56, 10, 0, 10, seconds: 60)));
        Assert.Equal(10, hpa.Recommend(Ctx(5 * 56, 10, 0, 10, seconds: 299)));
        Assert.Equal(5, hpa.Recommend(Ctx(5 * 56, 10, 0, 10, seconds: 361)));
    }

    [Fact]
    public void Recommend_PendingPods_CountAsZeroOnScaleUp()
    {
        // 4 ready at ratio 1.5, 4 pending at 0: new ratio = 6/8 = 0.75 < 1 flips direction → no change.
        Assert.Equal(8, new HpaPolicy().Recommend(Ctx(4 * 84, 4, 4, 8)));
        // 4 ready at ratio 3, 2 pending: (12)/(6) = 2 → ceil(2 × 6) = 12.
        Assert.Equal(12, new HpaPolicy().Recommend(Ctx(4 * 168, 4, 2, 6)));
    }

    [Fact]
    public void Recommend_NoReadyPod_LeavesTheScaleAlone()
    {
        Assert.Null(new HpaPolicy().Recommend(Ctx(1000, 0, 3, 3)));
    }
}
