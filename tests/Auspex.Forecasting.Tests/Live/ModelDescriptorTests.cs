using Auspex.Forecasting.Live;
using Auspex.Forecasting.Models;

namespace Auspex.Forecasting.Tests.Live;

public sealed class ModelDescriptorTests
{
    public static TheoryData<string> Descriptors => new()
    {
        "naive", "snaive:24", "naive2:24", "theta:24", "otheta:24", "arima:24", "ets:24", "ets:24:M,Ad,M", "ets:1:A,N,N",
        "mstl:24,168/ets:1", "mstl:24,168/ets:1:A,Ad,N",
    };

    [Theory]
    [MemberData(nameof(Descriptors))]
    public void Parse_ThenDescribe_GivesTheSameText(string d)
    {
        var model = ModelDescriptor.Parse(d, out var error);
        Assert.Null(error);
        Assert.Equal(d, ModelDescriptor.Describe(model!));
    }

    [Fact]
    public void PinnedEts_KeepsItsSpec()
    {
        var m = (AutoEts)ModelDescriptor.Parse("ets:24:M,Ad,M", out _)!;
        Assert.Equal(new EtsSpec(EtsError.Multiplicative, EtsTrend.Damped, EtsSeason.Multiplicative), m.Spec);
        Assert.Equal(24, m.Season);
    }

    [Theory]
    [InlineData("")]
    [InlineData("snaive")]
    [InlineData("snaive:x")]
    [InlineData("snaive:1")]
    [InlineData("ets:24:A,X,N")]
    [InlineData("mstl:24")]
    [InlineData("mstl:1/ets:1")]
    [InlineData("prophet:24")]
    public void Parse_NotADescriptor_NamesIt(string d)
    {
        Assert.Null(ModelDescriptor.Parse(d, out var error));
        Assert.Contains("'" + d + "'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_GlobalModel_IsNull() =>
        Assert.Null(ModelDescriptor.Describe(GlobalLinear.Train([TestSeries.Seasonal(400), TestSeries.Seasonal(400, seed: 3)])));
}
