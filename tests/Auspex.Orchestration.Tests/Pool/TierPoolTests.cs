using Auspex.Orchestration.Pool;

namespace Auspex.Orchestration.Tests.Pool;

public sealed class TierPoolTests
{
    [Fact]
    public void ParseCsv_ReadsEveryColumnAndTheOpenCostAliases()
    {
        const string csv = """
            provider,tier,price_per_hour,performance_factor,preemption_probability_per_hour,lead_time_seconds,max_units
            # comment lines are skipped
            aws,spot,0.0612,1,0.05,120,40
            aws,standard,0.192,1,0,60,
            gcp,high-performance,0.68,2.5,0,90,8
            """;
        var (pool, errors) = TierPool.ParseCsv(new StringReader(csv));
        Assert.Empty(errors);
        Assert.NotNull(pool);
        Assert.Equal(3, pool.Tiers.Count);
        Assert.Equal(["aws", "gcp"], pool.Providers);
        var spot = pool.Find("aws/spot")!;
        Assert.Equal(0.0612, spot.PricePerHour);
        Assert.Equal(0.05, spot.PreemptionProbabilityPerHour);
        Assert.Equal(TimeSpan.FromMinutes(2), spot.ProvisioningLeadTime);
        Assert.Equal(40, pool.MaxUnits("aws/spot"));
        Assert.Null(pool.MaxUnits("aws/standard"));
        Assert.Equal(2.5, pool.Find("gcp/high-performance")!.PerformanceFactor);

        var (alias, aliasErrors) = TierPool.ParseCsv(new StringReader("InstanceType,MarketPriceHourly,Region\nm5.large,0.096,us-east-1\n"));
        Assert.Empty(aliasErrors);
        var m5 = alias!.Find("default/m5.large")!;
        Assert.Equal(1, m5.PerformanceFactor);
        Assert.Equal(0, m5.PreemptionProbabilityPerHour);
    }

    [Fact]
    public void ParseCsv_BadRows_AreReportedWithLineNumbers_AndGoodRowsKept()
    {
        const string csv = """
            provider,tier,price_per_hour,performance_factor,preemption_probability_per_hour,lead_time_seconds,max_units
            aws,spot,abc,1,0.05,120,
            aws,standard,0.2,0,0,0,
            aws,burst,0.1,1,1.5,0,
            aws,slow,0.1,1,0,-5,
            aws,quota,0.1,1,0,0,x
            aws,standard2,NaN,1,0,0,
            ,,0.1,1,0,0,
            aws,ok,0.1,1,0,0,3
            aws,ok,0.2,1,0,0,
            """;
        var (pool, errors) = TierPool.ParseCsv(new StringReader(csv));
        Assert.NotNull(pool);
        Assert.Equal(["aws/ok"], pool.Tiers.Select(t => t.Key()));
        Assert.Contains(errors, e => e.StartsWith("line 2:", StringComparison.Ordinal) && e.Contains("price_per_hour 'abc'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 3:", StringComparison.Ordinal) && e.Contains("performance_factor", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 4:", StringComparison.Ordinal) && e.Contains("preemption", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 5:", StringComparison.Ordinal) && e.Contains("lead_time_seconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 6:", StringComparison.Ordinal) && e.Contains("max_units", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 7:", StringComparison.Ordinal) && e.Contains("NaN", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 8:", StringComparison.Ordinal) && e.Contains("tier is empty", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 10:", StringComparison.Ordinal) && e.Contains("declared twice", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("provider,tier\naws,spot\n", "header needs")]
    public void ParseCsv_UnusableFile_ReturnsNoPoolAndSaysWhy(string csv, string expected)
    {
        var (pool, errors) = TierPool.ParseCsv(new StringReader(csv));
        Assert.Null(pool);
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Match_ResolvesKeysNamesProvidersAndWildcard()
    {
        var pool = new TierPool([Fixtures.Standard("aws"), Fixtures.Spot("aws"), Fixtures.Spot("gcp")]);
        Assert.Equal(["aws/spot", "gcp/spot"], pool.Match("spot").Select(t => t.Key()));
        Assert.Equal(["gcp/spot"], pool.Match("gcp/spot").Select(t => t.Key()));
        Assert.Equal(["aws/standard", "aws/spot"], pool.Match("aws/*").Select(t => t.Key()));
        Assert.Equal(3, pool.Match("*").Count);
        Assert.Empty(pool.Match("nope"));
    }

    [Fact]
    public void TryCreate_RejectsDuplicatesInvalidTiersAndQuotasOfUnknownTiers()
    {
        var (pool, errors) = TierPool.TryCreate(
            [Fixtures.Standard(), Fixtures.Standard(), new("x", "aws", -1, 1, 0, TimeSpan.Zero)],
            new Dictionary<string, int> { ["aws/nope"] = 3 });
        Assert.Null(pool);
        Assert.Contains(errors, e => e.Contains("declared twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("price_per_hour", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown tier aws/nope", StringComparison.Ordinal));
    }

    [Fact]
    public void SurvivalProbability_CompoundsHourlyPreemption()
    {
        var spot = Fixtures.Spot(preempt: 0.1);
        Assert.Equal(1, Fixtures.Standard().SurvivalProbability(TimeSpan.FromHours(5)));
        Assert.Equal(0.9, spot.SurvivalProbability(TimeSpan.FromHours(1)), 12);
        Assert.Equal(0.81, spot.SurvivalProbability(TimeSpan.FromHours(2)), 12);
        Assert.Equal(Math.Sqrt(0.9), spot.SurvivalProbability(TimeSpan.FromMinutes(30)), 12);
    }
}

public sealed class SampleTierSheetTests
{
    [Fact]
    public void SamplesPricingTiersCsv_ParsesWithoutErrors_AndSpansTwoProviders()
    {
        using var reader = File.OpenText(Path.Combine(Auspex.Testing.RepoPaths.Root, "samples", "pricing", "tiers.csv"));
        var (pool, errors) = TierPool.ParseCsv(reader);
        Assert.Empty(errors);
        Assert.Equal(["aws", "gcp"], pool!.Providers);
        Assert.Equal(5, pool.Tiers.Count);
    }
}
