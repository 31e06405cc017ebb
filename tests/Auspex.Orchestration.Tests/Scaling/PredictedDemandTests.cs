using Auspex.Orchestration.Scaling;
using static Auspex.Orchestration.Tests.Fixtures;

namespace Auspex.Orchestration.Tests.Scaling;

public sealed class PredictedDemandTests
{
    [Fact]
    public void Parse_ReadsEveryKey_AndDefaults()
    {
        var (q, error) = ScalerQuery.Parse(new Dictionary<string, string> { ["service"] = "web", ["targetValue"] = "120", ["quantile"] = "0.95", ["leadTime"] = "1h30m", ["activationThreshold"] = "5" });
        Assert.Null(error);
        Assert.Equal(["{service=\"web\"}", "{component=\"web\"}"], q!.Selectors);
        Assert.Equal(0.95, q.Quantile);
        Assert.Equal(TimeSpan.FromMinutes(90), q.LeadTime);
        Assert.Equal(120, q.TargetValue);
        Assert.Equal(5, q.ActivationThreshold);
        Assert.Equal("auspex-predicted-web", q.MetricName);

        var (d, _) = ScalerQuery.Parse(new Dictionary<string, string> { ["series"] = "rps{job=\"shop\"}", ["threshold"] = "10" });
        Assert.Equal(["rps{job=\"shop\"}"], d!.Selectors);
        Assert.Equal(0.9, d.Quantile);
        Assert.Equal(TimeSpan.FromMinutes(5), d.LeadTime);
    }

    [Theory]
    [InlineData("", "", "needs 'service'")]
    [InlineData("service", "web", "needs 'targetValue'")]
    [InlineData("quantile", "1.5", "'quantile' value '1.5'")]
    [InlineData("leadTime", "5 minutes", "'leadTime' value '5 minutes'")]
    [InlineData("leadTime", "30d", "'leadTime'")]
    [InlineData("targetValue", "-1", "'targetValue' value '-1'")]
    [InlineData("activationThreshold", "x", "'activationThreshold' value 'x'")]
    [InlineData("service", "we\"b", "quote")]
    public void Parse_BadValues_NameTheKey(string key, string value, string expected)
    {
        var md = new Dictionary<string, string> { ["service"] = "web", ["targetValue"] = "1" };
        if (key == "")
        {
            md.Clear();
        }
        else if (key == "service" && value == "web")
        {
            md.Remove("targetValue");
        }
        else
        {
            md[key] = value;
        }
        var (q, error) = ScalerQuery.Parse(md);
        Assert.Null(q);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("300", 300)]
    [InlineData("300s", 300)]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("2d", 172800)]
    public void TryDuration_AcceptsGoStyleDurations(string text, double seconds)
    {
        Assert.True(ScalerQuery.TryDuration(text, out var d));
        Assert.Equal(seconds, d.TotalSeconds);
    }

    [Fact]
    public void Over_IsThePeakQuantileOverTheLeadTime_SummedOverSeries_SkippingStaleForecasts()
    {
        var a = Demand(0.1, 100, 300, 200, 900); // T0, +5, +10, +15
        var b = Demand(0, 10, 10, 10, 10);
        var stale = DemandFrom(T0.AddHours(-3), 0, 50, 50);
        var p = PredictedDemand.Over([a, b, stale], T0, 0.5, TimeSpan.FromMinutes(10));
        Assert.Equal(300 + 10, p.Value, 9);
        Assert.Equal(2, p.Series);
        Assert.Equal(1, p.Stale);
        Assert.Equal(900 + 10, PredictedDemand.Over([a, b], T0, 0.5, TimeSpan.FromMinutes(15)).Value, 9);
        Assert.True(PredictedDemand.Over([a], T0, 0.975, TimeSpan.FromMinutes(10)).Value > 300);
        // A forecast that starts after the window contributes its first point.
        Assert.Equal(77, PredictedDemand.Over([DemandFrom(T0.AddHours(1), 0, 77)], T0, 0.5, TimeSpan.FromMinutes(5)).Value, 9);
    }
}
