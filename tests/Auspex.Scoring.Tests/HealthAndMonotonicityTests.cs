using Auspex.Core.Series;
using Auspex.Core.Topology;
using FsCheck;
using FsCheck.Xunit;
using static Auspex.Scoring.Tests.ScoringFixture;
using static Auspex.Testing.Builders;

namespace Auspex.Scoring.Tests;

public sealed class HealthAndMonotonicityTests
{
    [Fact]
    public void Hps_ComponentOnHostInMaintenance_IsZero()
    {
        var t = Rich(maintenance: [new MaintenanceWindow("h21", new TimeRange(T0.AddHours(1), T0.AddHours(2)), "disk swap")]);
        var report = new LocalityScorer().Assess(t, AllCpu(1), T0);
        var db = report.Components.Single(c => c.Component == "db");
        Assert.Equal(0, db.Hps);
        Assert.Equal(1, db.Risks["hosts"]);
        Assert.Equal(["h21"], db.Hosts);
        var api = report.Components.Single(c => c.Component == "api");
        // api depends on db: coupling 0.5 without history → dependency risk 0.5 → P ≥ 0.5 → HPS 0.
        Assert.Equal(0.5, api.Risks["dependencies"], 9);
        Assert.Equal(0, api.Hps);
    }

    [Fact]
    public void Hps_QuietFleet_IsNearHundredAndKnownFromItsParts()
    {
        var report = new LocalityScorer().Assess(Rich(), AllCpu(1), T0);
        var db = report.Components.Single(c => c.Component == "db");
        var p = 1 - db.Risks.Values.Aggregate(1.0, (a, x) => a * (1 - x));
        Assert.Equal(p, db.Probability, 12);
        Assert.Equal(100 * (1 - p / 0.2), db.Hps, 9);
        Assert.InRange(db.Hps, 90, 100);
    }

    [Fact]
    public void Hps_ComponentFailures_LowerIt()
    {
        var quiet = new LocalityScorer().Assess(Rich(), AllCpu(1), T0).Components.Single(c => c.Component == "db").Hps;
        FailureEvent[] history = [.. Enumerable.Range(1, 5).Select(i => new FailureEvent("db", T0.AddDays(-i), "software", null))];
        var noisy = new LocalityScorer().Assess(Rich(failures: history), AllCpu(1), T0).Components.Single(c => c.Component == "db").Hps;
        Assert.True(noisy < quiet, $"{noisy} < {quiet}");
    }

    [Fact]
    public void Coupling_LaplaceSmoothed()
    {
        var d = new List<DateTimeOffset> { T0, T0.AddDays(1) };
        var c = new List<DateTimeOffset> { T0.AddMinutes(5) };
        Assert.Equal(2.0 / 4, HealthCalculator.Coupling(c, d, TimeSpan.FromMinutes(15)), 12); // (1 + 1) / (2 + 2)
        Assert.Equal(0.5, HealthCalculator.Coupling([], [], TimeSpan.FromMinutes(15)), 12);
    }

    [Property(MaxTest = 60)]
    public bool MorePredictedLoad_NeverRaisesDesirability(NormalFloat mean, NormalFloat extra, NormalFloat sd)
    {
        var m = Math.Abs(mean.Get) % 6;
        var d = Math.Abs(extra.Get) % 3;
        var s = Math.Abs(sd.Get) % 2;
        var scorer = new LocalityScorer();
        var t = Rich(failures: [new FailureEvent("h11", T0.AddDays(-2), "hw", null)]);
        IReadOnlyList<HostForecast> F(double x) => [Cpu("h11", x, s), Cpu("h12", 1), Cpu("h21", 1), Cpu("h22", 1)];
        var before = scorer.Score(t, F(m), T0).ToDictionary(x => x.Locality);
        var after = scorer.Score(t, F(m + d), T0).ToDictionary(x => x.Locality);
        return new[] { "h11", "rack1", "z1", "r1" }.All(id => after[id].Desirability <= before[id].Desirability + 1e-12);
    }

    [Property(MaxTest = 40)]
    public bool MoreFailures_NeverLowerRiskOfTheLocality(PositiveInt n)
    {
        var k = n.Get % 20;
        FailureEvent[] Fs(int count) => [.. Enumerable.Range(0, count).Select(i => new FailureEvent("h12", T0.AddHours(-1 - i), "hw", null)),
            new FailureEvent("h22", T0.AddDays(-20), "hw", null)];
        var ctx = new ScoringContext { FailuresObservedSince = T0.AddDays(-30) };
        var a = new LocalityScorer().Assess(Rich(failures: Fs(k)), AllCpu(1), T0, ctx).Details;
        var b = new LocalityScorer().Assess(Rich(failures: Fs(k + 1)), AllCpu(1), T0, ctx).Details;
        return new[] { "h12", "rack1", "z1" }.All(id => b[id].Risk!.Probability >= a[id].Risk!.Probability - 1e-12);
    }
}
