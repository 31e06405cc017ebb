using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Scores;
using Auspex.Scoring;
using Auspex.Testing;
using static Auspex.Testing.Builders;

namespace Auspex.Scoring.Tests;

public sealed class LocalityScorerTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(5);

    // A forecast with constant mean and a symmetric normal band: q90 = mean + 1.2816·sd.
    private static HostForecast Cpu(string host, double mean, double sd = 0, int steps = 6) =>
        new(host, ResourceKind.Cpu, new Forecast(Builders.Cpu(host), "test", T0, Step, [0.1, 0.5, 0.9],
            Enumerable.Range(1, steps).Select(i => new ForecastPoint(T0 + Step * i, mean, [mean - 1.2815515655 * sd, mean, mean + 1.2815515655 * sd])).ToList()));

    [Theory]
    [InlineData(0.0, 1.0)] // idle: full headroom
    [InlineData(2.0, 1.0)] // 50% headroom is comfortable
    [InlineData(3.0, 0.5)] // 25% headroom: half way
    [InlineData(4.0, 0.0)] // at capacity
    [InlineData(6.0, 0.0)] // over capacity clamps at 0
    public void Score_HostCapacityPart_FollowsHeadroom(double mean, double expected)
    {
        var t = SmallTopology(1, 1);
        var s = new LocalityScorer().Score(t, [Cpu("h11", mean)], T0).Single(x => x.Locality == "h11");
        Assert.Equal(expected, s.Parts["capacity"].Value, 9);
        Assert.Equal(expected, s.Desirability, 9);
        Assert.Contains("cpu is the tightest resource", s.Parts["capacity"].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_UsesUpperQuantileNotMean()
    {
        var t = SmallTopology(1, 1);
        // Mean 2 of 4 cores is comfortable, but the p90 reaches 3 → 25% headroom → 0.5.
        var s = new LocalityScorer().Score(t, [Cpu("h11", 2, sd: 1 / 1.2815515655)], T0).Single(x => x.Locality == "h11");
        Assert.Equal(0.5, s.Desirability, 6);
    }

    [Fact]
    public void Score_RollsUpEveryLevelWithSummedCapacity()
    {
        var t = SmallTopology(2, 2); // 4 hosts × 4 cores
        var scores = new LocalityScorer().Score(t, [Cpu("h11", 4), Cpu("h12", 0), Cpu("h21", 0), Cpu("h22", 0)], T0)
            .ToDictionary(s => s.Locality);
        Assert.Equal(8, scores.Count); // region, zone, 2 racks, 4 hosts
        Assert.Equal(0, scores["h11"].Desirability, 9);
        Assert.Equal(1, scores["rack1"].Parts["capacity"].Value, 9); // 4 of 8 cores: 50% headroom
        Assert.Equal(1, scores["z1"].Desirability, 9); // 4 of 16
        Assert.Contains("summed over 4 host(s)", scores["r1"].Parts["capacity"].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_LocalityWithoutForecasts_IsLeftOut()
    {
        var t = SmallTopology(2, 1);
        var scores = new LocalityScorer().Score(t, [Cpu("h11", 1)], T0);
        Assert.DoesNotContain(scores, s => s.Locality is "h21" or "rack2");
    }

    [Fact]
    public void Combine_WeightsNormaliseOverPresentParts()
    {
        var parts = new Dictionary<string, ScorePart> { ["capacity"] = new(1, 3, ""), ["risk"] = new(0, 1, "") };
        Assert.Equal(0.75, LocalityScorer.Combine(parts), 12);
    }

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(0.9, 1.2815515655)]
    [InlineData(0.975, 1.9599639845)]
    [InlineData(0.01, -2.3263478740)]
    public void NormalQuantile_KnownValues(double p, double z) => Assert.Equal(z, LocalityScorer.NormalQuantile(p), 7);

    [Fact]
    public void Options_OutOfRange_Throw() =>
        Assert.Throws<ArgumentException>(() => new LocalityScorer(new ScoringOptions { Quantile = 1.5 }));
}
