using Auspex.Simulation.Measures;

namespace Auspex.Simulation.Tests;

/// <summary>Session 10: the trade-off frontier (families, Pareto points, the target box), on hand-made measures.</summary>
public sealed class FrontierTests
{
    private static PolicyResult R(string name, double minutes, double cost, double slack) =>
        new(name, minutes, cost, slack, 10, 0, 0, 0, 0, 0, 1, 0);

    [Theory]
    [InlineData("hpa", "hpa", "target=0.7 (default)")]
    [InlineData("hpa:target=0.9", "hpa", "target=0.9")]
    [InlineData("static", "static", "default")]
    [InlineData("auspex-vertical:quantile=0.5", "auspex-vertical", "quantile=0.5")]
    [InlineData("auspex-vertical:guard=0:safety=1:quantile=0.3", "auspex-vertical:guard=0:safety=1", "quantile=0.3")]
    [InlineData("oracle", "oracle", "default")]
    [InlineData("oracle:tier=1:loss=1:spare=100", "oracle", "tier=1:loss=1:spare=100")]
    public void Split_TheLastKeyIsTheKnob_AndEveryOracleIsOneFamily(string name, string family, string knob) =>
        Assert.Equal((family, knob), Frontier.Split(name));

    [Fact]
    public void Baseline_IsThePlainHpaOrTargetPointSeven()
    {
        Assert.True(Frontier.IsBaseline("hpa"));
        Assert.True(Frontier.IsBaseline("hpa:target=0.70"));
        Assert.False(Frontier.IsBaseline("hpa:target=0.9"));
        Assert.False(Frontier.IsBaseline("hpa:target=0.7:tol=0.05"));
    }

    [Fact]
    public void Build_MarksParetoPoints_TheTargetBox_AndEachFamilysLeastSlackMeetingTheTargets()
    {
        // Baseline 10 min at cost 100: the box is ≤ 2 min at cost ≤ 100 with slack < 15 %.
        var rows = new[]
        {
            R("hpa", 10, 100, 0.40),
            R("hpa:target=0.9", 50, 80, 0.20),
            R("hpa:target=0.5", 1, 140, 0.55),          // meets minutes, not cost
            R("x:q=0.5", 2, 60, 0.18),                  // meets both, slack 18 %
            R("x:q=0.9", 0, 70, 0.30),                  // meets both, more slack
            R("x:q=0.3", 3, 50, 0.14),                  // 3 > 2 min: misses the minute target
            R("y:k=1", 2, 99, 0.12),                    // in the box
            R("y:k=2", 2, 99, 0.13),                    // dominated by y:k=1
            R("oracle", 0, 20, 0.05),                   // a bound: would dominate, but is left out
        };
        var f = Frontier.Build(rows);
        Assert.Equal("hpa", f.Baseline!.Policy);
        Assert.Equal(2, f.MinutesLimit, 9);
        Assert.Equal(100, f.CostLimit, 9);
        var byName = f.Points.ToDictionary(p => p.Result.Policy);
        Assert.Equal(0.8, byName["hpa:target=0.9"].CostRatio, 9);
        // hpa (10, 100, 0.40) is dominated by x:q=0.5 (2, 60, 0.18).
        Assert.False(byName["hpa"].Pareto);
        // hpa:target=0.9 (50, 80, 0.20) by x:q=0.3 (3, 50, 0.14); hpa:target=0.5 (1, 140, 0.55) by x:q=0.9 (0, 70, 0.30).
        Assert.False(byName["hpa:target=0.9"].Pareto);
        Assert.False(byName["hpa:target=0.5"].Pareto);
        Assert.True(byName["x:q=0.3"].Pareto);
        Assert.True(byName["x:q=0.5"].Pareto);
        Assert.True(byName["x:q=0.9"].Pareto);
        Assert.False(byName["y:k=2"].Pareto);
        Assert.True(byName["y:k=1"].Pareto);
        Assert.False(byName["oracle"].Pareto);
        Assert.True(byName["oracle"].IsBound);
        Assert.True(byName["y:k=1"].InTargetBox);
        Assert.False(byName["x:q=0.3"].MeetsViolationsAndCost);
        Assert.False(byName["hpa:target=0.5"].MeetsViolationsAndCost);
        var best = f.Best.ToDictionary(b => b.Family, b => b.Point?.Result.Policy);
        Assert.Equal("x:q=0.5", best["x"]);
        Assert.Equal("y:k=1", best["y"]);
        Assert.Null(best["hpa"]);
        var table = Frontier.Table(f);
        Assert.Contains("| y | k=1 | 2 | 99.00 | 99 % | 12.0 % | 10 | **P** | yes | **yes** |", table, StringComparison.Ordinal);
        Assert.Contains("- x: least slack meeting them 18.0 % at q=0.5 (2 min, 60 % of the HPA's cost)", table, StringComparison.Ordinal);
        Assert.Contains("- hpa: no point meets the violation and cost targets", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithoutTheDefaultHpa_HasNoBox()
    {
        var f = Frontier.Build([R("hpa:target=0.9", 5, 10, 0.2), R("static", 0, 50, 0.9)]);
        Assert.Null(f.Baseline);
        Assert.True(double.IsNaN(f.Points[0].CostRatio));
        Assert.All(f.Points, p => Assert.False(p.MeetsViolationsAndCost));
        Assert.Contains("no target box", Frontier.Table(f), StringComparison.Ordinal);
    }
}
