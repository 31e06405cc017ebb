using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;

namespace Auspex.Core.Tests;

public sealed class VocabularyTests
{
    [Fact]
    public void Labels_SortedEqualAndFormatted()
    {
        var a = Labels.Of("b", "2", "a", "x\"y");
        var b = Labels.Of("a", "x\"y", "b", "2");
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal("{a=\"x\\\"y\",b=\"2\"}", a.ToString());
        Assert.Single(Labels.Of("a", "", "b", "1")); // empty values are dropped
    }

    [Theory]
    [InlineData("1abc")]
    [InlineData("a-b")]
    [InlineData("")]
    public void Labels_InvalidName_Throws(string name) => Assert.Throws<ArgumentException>(() => Labels.Of(name, "v"));

    [Fact]
    public void Labels_DuplicateName_Throws() =>
        Assert.Throws<ArgumentException>(() => Labels.From([new("a", "1"), new("a", "2")]));

    [Fact]
    public void TimeRange_EndBeforeStart_Throws()
    {
        var t = DateTimeOffset.UnixEpoch;
        Assert.Throws<ArgumentException>(() => new TimeRange(t, t.AddSeconds(-1)));
        var r = new TimeRange(t, t.AddHours(1));
        Assert.True(r.Contains(t));
        Assert.False(r.Contains(t.AddHours(1)));
    }

    [Fact]
    public void ResourceVector_RefusesNegativeAndAdds()
    {
        Assert.Throws<ArgumentException>(() => ResourceVector.Of((ResourceKind.Cpu, -1)));
        Assert.Throws<ArgumentException>(() => ResourceVector.Of((ResourceKind.Cpu, double.NaN)));
        var v = ResourceVector.Of((ResourceKind.Cpu, 1)).Plus(ResourceVector.Of((ResourceKind.Cpu, 2), (ResourceKind.Memory, 5)));
        Assert.Equal(3, v[ResourceKind.Cpu]);
        Assert.True(ResourceVector.Of((ResourceKind.Cpu, 2)).FitsWithin(v));
        Assert.False(ResourceVector.Of((ResourceKind.Power, 1)).FitsWithin(v));
    }

    [Fact]
    public void Topology_WrongNesting_IsReported()
    {
        var r = Topology.Topology.Create(TenantId.Default,
        [
            new("r", LocalityKind.Region, null, ResourceVector.Zero, null, Labels.Empty),
            new("h", LocalityKind.Host, "r", ResourceVector.Of((ResourceKind.Cpu, 1)), null, Labels.Empty),
        ]);
        Assert.False(r.IsValid);
        Assert.Contains("host 'h' must sit in a rack, not in region 'r'", r.Errors);
    }

    [Fact]
    public void Forecast_QuantileInterpolatesBetweenLevels()
    {
        var t = DateTimeOffset.UnixEpoch;
        var f = new Forecast(new SeriesKey("x", Labels.Empty), "m", t, TimeSpan.FromMinutes(1), [0.1, 0.5, 0.9],
            [new ForecastPoint(t, 5, [1, 5, 9])]);
        Assert.Equal(7, f.Quantile(0, 0.7), 9);
        Assert.Equal(9, f.Quantile(0, 0.99), 9);
        Assert.Equal(9, f.MaxQuantile(0.9), 9);
    }

    [Fact]
    public void WeightWindow_WrapsPastMidnight()
    {
        var w = new WeightWindow(22, 6, ScoringWeights.Default);
        Assert.True(w.Covers(new DateTimeOffset(2024, 1, 1, 23, 0, 0, TimeSpan.Zero)));
        Assert.True(w.Covers(new DateTimeOffset(2024, 1, 1, 5, 59, 0, TimeSpan.Zero)));
        Assert.False(w.Covers(new DateTimeOffset(2024, 1, 1, 6, 0, 0, TimeSpan.Zero)));
    }
}
