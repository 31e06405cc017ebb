using System.Text.Json;
using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Scores;
using Auspex.Core.Series;
using Auspex.Scoring.Tests.Reference;
using static Auspex.Scoring.Tests.ScoringFixture;
using static Auspex.Testing.Builders;

namespace Auspex.Scoring.Tests;

/// <summary>The columnar forecast input, the on-demand explanations and details, and their bad-input behaviour.</summary>
public sealed class ColumnarInputTests
{
    [Fact]
    public void Columns_BuiltDirectly_ScoreLikeTheObjectsTheyHold()
    {
        var fleet = RandomFleet.Create(11, withExtras: true);
        var converted = ForecastColumns.From(fleet.Forecasts);
        // The same data rebuilt through the public constructor (as a forecaster would write it), in column order.
        var rebuilt = new ForecastColumns(converted.Columns.Select(c => new ForecastColumn(c.Resource, c.Levels, c.Hosts,
            c.Offsets.ToArray(), c.At.ToArray(), c.Mean.ToArray(), c.Quantiles.ToArray())));
        var scorer = new LocalityScorer();
        var a = scorer.Assess(fleet.Topology, fleet.Forecasts, fleet.At, fleet.Context);
        var b = scorer.Assess(fleet.Topology, rebuilt, fleet.At, fleet.Context);
        Assert.Equal(a.Scores.Select(s => (s.Locality, s.Desirability)), b.Scores.Select(s => (s.Locality, s.Desirability)));
        Assert.Equal(a.Scores.Select(s => s.Parts.Values.Sum(p => p.Value)), b.Scores.Select(s => s.Parts.Values.Sum(p => p.Value)));
    }

    [Fact]
    public void From_KeepsTheFirstForecastPerHostAndResource_AndTheLastTemperature()
    {
        var first = Cpu("h11", 1);
        var second = Cpu("h11", 3);
        var t1 = Constant("h11", ResourceKind.Temperature, 20);
        var t2 = Constant("h11", ResourceKind.Temperature, 40);
        var columns = ForecastColumns.From([first, second, t1, t2]);
        var cpu = columns.Columns.Single(c => c.Resource == ResourceKind.Cpu);
        Assert.Equal(["h11"], cpu.Hosts);
        Assert.Equal(first.Forecast.Points.Select(p => p.Mean), cpu.Mean.ToArray());
        var temperature = columns.Columns.Single(c => c.Resource == ResourceKind.Temperature);
        Assert.All(temperature.Mean.ToArray(), m => Assert.Equal(40, m));
    }

    [Fact]
    public void From_StepWithWrongQuantileCount_IsRefusedNamingHostAndResource()
    {
        var good = Cpu("h11", 1);
        var points = good.Forecast.Points.Select((p, i) => i == 2 ? p with { Quantiles = [.. p.Quantiles.Take(2)] } : p).ToList();
        var bad = good with { Forecast = good.Forecast with { Points = points } };
        var e = Assert.Throws<ArgumentException>(() => ForecastColumns.From([bad]));
        Assert.Contains("cpu on 'h11'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Column_WithShapesThatDisagree_IsRefused()
    {
        double[] levels = [0.1, 0.5, 0.9];
        DateTimeOffset[] at = [T0, T0.AddMinutes(5)];
        // Offsets one short, not starting at 0, decreasing; too few quantiles; no levels.
        Assert.Throws<ArgumentException>(() => new ForecastColumn(ResourceKind.Cpu, levels, ["h"], [2], at, [1, 2], new double[6]));
        Assert.Throws<ArgumentException>(() => new ForecastColumn(ResourceKind.Cpu, levels, ["h"], [1, 2], at, [1, 2], new double[6]));
        Assert.Throws<ArgumentException>(() => new ForecastColumn(ResourceKind.Cpu, levels, ["h", "g"], [0, 2, 1], at, [1, 2], new double[6]));
        Assert.Throws<ArgumentException>(() => new ForecastColumn(ResourceKind.Cpu, levels, ["h"], [0, 2], at, [1, 2], new double[5]));
        Assert.Throws<ArgumentException>(() => new ForecastColumn(ResourceKind.Cpu, [], ["h"], [0, 2], at, [1, 2], []));
        var ok = new ForecastColumn(ResourceKind.Cpu, levels, ["h"], [0, 2], at, [1, 2], new double[6]);
        var e = Assert.Throws<ArgumentException>(() => new ForecastColumns([ok, ok]));
        Assert.Contains("more than one cpu forecast", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeferredExplanations_AreWrittenOnFirstRead_AndEqualTheEagerText()
    {
        var fleet = RandomFleet.Create(5, withExtras: true);
        var report = new LocalityScorer().Assess(fleet.Topology, fleet.Forecasts, fleet.At, fleet.Context);
        var reference = new ReferenceLocalityScorer().Assess(fleet.Topology, fleet.Forecasts, fleet.At, fleet.Context);
        var part = report.Scores[0].Parts["capacity"];
        var eager = reference.Scores[0].Parts["capacity"];
        Assert.Same(part.Explanation, part.Explanation); // written once, then kept
        Assert.Equal(eager, part); // record equality over value, weight and text
        Assert.Equal(eager.GetHashCode(), part.GetHashCode());
        var (v, w, text) = part;
        Assert.Equal((eager.Value, eager.Weight, eager.Explanation), (v, w, text));
        Assert.Equal(JsonSerializer.Serialize(reference.Scores[0]), JsonSerializer.Serialize(report.Scores[0]));
        Assert.Equal("changed", (part with { Explanation = "changed" }).Explanation);
    }

    [Fact]
    public void Details_ReadLikeADictionaryInScoreOrder()
    {
        var fleet = RandomFleet.Create(6, withExtras: false);
        var report = new LocalityScorer().Assess(fleet.Topology, fleet.Forecasts, fleet.At, fleet.Context);
        Assert.Equal(report.Scores.Select(s => s.Locality), report.Details.Keys);
        Assert.Equal(report.Scores.Count, report.Details.Count);
        var id = report.Scores[^1].Locality;
        Assert.True(report.Details.TryGetValue(id, out var d));
        Assert.Same(d, report.Details[id]);
        Assert.False(report.Details.ContainsKey("no-such-locality"));
        Assert.False(report.Details.TryGetValue("no-such-locality", out _));
        Assert.Throws<KeyNotFoundException>(() => report.Details["no-such-locality"]);
        Assert.Equal(report.Details.Keys, report.Details.Select(kv => kv.Key));
    }

    [Fact]
    public void Parts_ReadLikeADictionaryInPartOrder()
    {
        var fleet = RandomFleet.Create(4, withExtras: true);
        var parts = new LocalityScorer().Assess(fleet.Topology, fleet.Forecasts, fleet.At, fleet.Context).Scores[0].Parts;
        Assert.Equal(["capacity", "risk", "cost", "proximity"], parts.Keys);
        Assert.Equal(4, parts.Count);
        Assert.Equal(parts.Values, parts.Keys.Select(k => parts[k]));
        Assert.False(parts.TryGetValue("network", out _));
        Assert.Throws<KeyNotFoundException>(() => parts["network"]);
        Assert.Equal(parts.ToDictionary(p => p.Key, p => p.Value).Keys, parts.Keys);
    }

    [Fact]
    public void ScorePart_Deferred_NeedsAnExplainer()
    {
        Assert.Throws<ArgumentNullException>(() => ScorePart.Deferred(0.5, 1, null!, 0));
        var eager = new ScorePart(0.5, 1, "why");
        Assert.Equal("why", eager.Explanation);
        Assert.Equal(new ScorePart(0.5, 1, "why"), eager);
    }

    [Fact]
    public void Parallelism_DoesNotChangeTheResult_AndBelowOneIsRefused()
    {
        var fleet = RandomFleet.Create(9, withExtras: true);
        var many = new LocalityScorer().Assess(fleet.Topology, fleet.Forecasts, fleet.At, fleet.Context);
        var one = new LocalityScorer(new ScoringOptions { Parallelism = 1 }).Assess(fleet.Topology, fleet.Forecasts, fleet.At, fleet.Context);
        Assert.Equal(many.Scores.Select(s => (s.Locality, s.Desirability)), one.Scores.Select(s => (s.Locality, s.Desirability)));
        Assert.Equal(many.Scores.SelectMany(s => s.Parts.Values.Select(p => p.Explanation)), one.Scores.SelectMany(s => s.Parts.Values.Select(p => p.Explanation)));
        Assert.Throws<ArgumentException>(() => new LocalityScorer(new ScoringOptions { Parallelism = 0 }));
    }

    [Fact]
    public void Proximity_IsSharedByScorersWithEqualSettings_AndRecomputedWhenTheyDiffer()
    {
        var fleet = RandomFleet.Create(3, withExtras: true);
        ScoringReport Run(ScoringOptions o) => new LocalityScorer(o).Assess(fleet.Topology, fleet.Forecasts, fleet.At, fleet.Context);
        var a = Run(new ScoringOptions());
        var b = Run(new ScoringOptions());
        var id = a.Scores[0].Locality;
        Assert.NotNull(a.Details[id].Proximity);
        Assert.Same(a.Details[id].Proximity, b.Details[id].Proximity);
        var c = Run(new ScoringOptions { ReferenceLatencyMs = 5 });
        Assert.NotSame(a.Details[id].Proximity, c.Details[id].Proximity);
        Assert.Equal(a.Details[id].Proximity!.MeanLatencyMs, c.Details[id].Proximity!.MeanLatencyMs);
        Assert.NotEqual(a.Details[id].Proximity!.Value, c.Details[id].Proximity!.Value);
        var reference = new ReferenceLocalityScorer(new ScoringOptions { ReferenceLatencyMs = 5 }).Assess(fleet.Topology, fleet.Forecasts, fleet.At, fleet.Context);
        Assert.Equal(reference.Details[id].Proximity, c.Details[id].Proximity);
    }

    [Fact]
    public void ScorePart_Deferred_LetsGoOfItsExplainerOnceTheTextIsKept()
    {
        var (part, explainer) = DeferredPart();
        Assert.Equal("explained 7", part.Explanation);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(explainer.IsAlive);
        Assert.Equal("explained 7", part.Explanation);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (ScorePart Part, WeakReference Explainer) DeferredPart()
    {
        var explainer = new CountingExplainer();
        return (ScorePart.Deferred(0.25, 1, explainer, 7), new WeakReference(explainer));
    }

    private sealed class CountingExplainer : IScoreExplainer
    {
        public string Explain(int key) => $"explained {key}";
    }
}
