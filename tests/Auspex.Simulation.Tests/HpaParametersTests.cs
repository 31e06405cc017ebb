using Auspex.Core.Topology;
using Auspex.Simulation.Policies;
using Auspex.Simulation.Traces;
using Auspex.Simulation.World;

namespace Auspex.Simulation.Tests;

/// <summary>
/// Session 10: <c>hpa:target=U:tol=T:stab=M</c>. Hand-computed on a steady 400 req/s (one replica serves 80 req/s at
/// full use), one on-demand tier at 0.10/h, no failures, 30 measured minutes after a 30-minute warm-up.
/// </summary>
public sealed class HpaParametersTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly WorldOptions World = new()
    {
        FailureRatePerHour = 0,
        WarmUp = TimeSpan.FromMinutes(30),
        ReplicaCapacity = 80,
        Tiers = [new Tier("on-demand", "simulated", 0.10, 1.0, 0.0, TimeSpan.FromMinutes(3))],
    };

    private static DemandTrace Steady(double perSecond, int minutes = 60) =>
        DemandTrace.Create("steady", T0, TimeSpan.FromMinutes(1), Enumerable.Repeat(perSecond * 60, minutes).ToList()).Trace!;

    private static PolicyContext Ctx(double observed, int ready, int seconds = 0) =>
        new(T0.AddSeconds(seconds), observed, [], T0, TimeSpan.FromMinutes(1),
            new Dictionary<string, int> { ["on-demand"] = ready }, new Dictionary<string, int> { ["on-demand"] = 0 },
            new Dictionary<string, int> { ["on-demand"] = ready }, World, TimeProvider.System);

    [Fact]
    public void SteadyLoad_SettlesAtTheCountItsTargetGives_WithThatSlackAndCost()
    {
        // target 0.5: 40 req/s per pod → 10 replicas, slack 1 − 400/800 = 50 %, cost 10 × 0.10 × 0.5 h = 0.5.
        // target 0.7 (plain hpa): 56 → ceil(7.14) = 8; at 8 the ratio 50/56 = 0.893 is outside the 10 % tolerance but
        //   ceil(0.893 × 8) = 8 again: slack 1 − 400/640 = 37.5 %, cost 0.4.
        // target 0.9: 72 → ceil(5.56) = 6; at 6 the ratio 0.926 is within tolerance: slack 1 − 400/480 = 16.7 %, cost 0.3.
        var names = new[] { "hpa:target=0.5", "hpa", "hpa:target=0.9" };
        var (r, errors) = Simulator.Run(Steady(400), names.Select(n => PolicyCatalog.Create(n, 400)!).ToList(), World);
        Assert.Empty(errors);
        var expected = new[] { (10, 0.5, 0.5), (8, 0.375, 0.4), (6, 1 - 400 / 480.0, 0.3) };
        for (var i = 0; i < names.Length; i++)
        {
            var p = r!.Policies[i];
            Assert.Equal(names[i], p.Policy);
            Assert.Equal(0, p.SloViolationMinutes);
            Assert.Equal(expected[i].Item1, p.PeakReplicas);
            Assert.Equal(expected[i].Item2, p.MeanSlack, 9);
            Assert.Equal(expected[i].Item3, p.Cost, 9);
        }
    }

    [Fact]
    public void TargetPointSeven_IsThePlainHpa_Exactly()
    {
        var load = Enumerable.Range(0, 240).Select(i => 60 * (200 + 150 * Math.Sin(i / 9.0) + (i % 7) * 20)).ToList();
        var trace = DemandTrace.Create("wave", T0, TimeSpan.FromMinutes(1), load).Trace!;
        var (r, _) = Simulator.Run(trace, [PolicyCatalog.Create("hpa", 400)!, PolicyCatalog.Create("hpa:target=0.7:tol=0.1:stab=5", 400)!], World);
        var (a, b) = (r!.Policies[0], r.Policies[1]);
        Assert.True(a.ScalingActions > 10);
        Assert.Equal(a with { Policy = b.Policy }, b);
    }

    [Fact]
    public void Tolerance_AndStabilisation_AreTheKeysValues()
    {
        // 4 pods at ratio 1.09: inside the default 10 % (stays 4), outside tol=0.05 (ceil(4 × 1.09) = 5).
        var at109 = 4 * 56 * 1.09;
        Assert.Equal(4, ((HpaPolicy)PolicyCatalog.Create("hpa", 100)!).Recommend(Ctx(at109, 4)));
        Assert.Equal(5, ((HpaPolicy)PolicyCatalog.Create("hpa:tol=0.05", 100)!).Recommend(Ctx(at109, 4)));
        // Load halves after 10 pods: the default holds 10 for 5 minutes; stab=1 drops to 5 after one minute.
        foreach (var (name, atTwoMinutes) in new[] { ("hpa", 10), ("hpa:stab=1", 5) })
        {
            var hpa = (HpaPolicy)PolicyCatalog.Create(name, 100)!;
            Assert.Equal(10, hpa.Recommend(Ctx(10 * 56, 10, 0)));
            Assert.Equal(10, hpa.Recommend(Ctx(5 * 56, 10, 30)));
            Assert.Equal(atTwoMinutes, hpa.Recommend(Ctx(5 * 56, 10, 120)));
        }
    }

    [Theory]
    [InlineData("hpa:target=0", "target must be in (0, 1]")]
    [InlineData("hpa:target=1.5", "target must be in (0, 1]")]
    [InlineData("hpa:target=-0.2", "target must be in (0, 1]")]
    [InlineData("hpa:target=abc", "'target=abc' is not key=number")]
    [InlineData("hpa:target", "'target' is not key=number")]
    [InlineData("hpa:target=NaN", "'target=NaN' is not key=number")]
    [InlineData("hpa:tol=1", "tol must be in [0, 1)")]
    [InlineData("hpa:stab=-1", "stab must be 0–60 minutes")]
    [InlineData("hpa:speed=2", "unknown key 'speed' (target, tol, stab)")]
    public void BadKeys_AreRefused_NamingThePart(string name, string message)
    {
        Assert.True(PolicyCatalog.IsKnown(name));
        var e = Assert.Throws<ArgumentException>(() => PolicyCatalog.Create(name, 100));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"policy {name}:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TargetOne_IsAccepted()
    {
        Assert.Equal("hpa:target=1", PolicyCatalog.Create("hpa:target=1", 100)!.Name);
    }
}
