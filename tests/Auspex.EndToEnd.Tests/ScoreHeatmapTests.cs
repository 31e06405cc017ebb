using System.Net.Http.Json;
using System.Text.Json;
using Auspex.Cli.Plots;
using Auspex.Scoring;
using Auspex.Testing;
using SkiaSharp;

namespace Auspex.EndToEnd.Tests;

/// <summary>
/// Issue 5's "done when" on the real product: the demo's heatmap driven by all four parts with their breakdowns, the
/// heatmap exported as PNG by <c>auspex score -o png --output heatmap.png</c>, and alerts firing and resolving.
/// </summary>
[Collection("demo")]
public sealed class ScoreHeatmapTests(DemoServerFixture demo)
{
    private static readonly string[] Parts = ["capacity", "risk", "cost", "proximity"];

    [Fact]
    public async Task Demo_EveryLocalityScore_HasAllFourPartsWithWeightsAndExplanations()
    {
        var locs = await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        foreach (var l in locs.EnumerateArray())
        {
            var score = l.GetProperty("score");
            var id = l.GetProperty("id").GetString();
            var parts = score.GetProperty("parts");
            Assert.True(Parts.All(p => parts.TryGetProperty(p, out var v) && v.GetDouble() is >= 0 and <= 1),
                $"{id}: parts {parts}");
            var weights = score.GetProperty("weights");
            Assert.True(Parts.All(p => weights.TryGetProperty(p, out _)), $"{id}: weights {weights}");
            var why = score.GetProperty("explanations");
            Assert.True(Parts.All(p => why.TryGetProperty(p, out var e) && e.GetString()!.Length > 10), $"{id}: explanations {why}");
        }
    }

    [Fact]
    public async Task Demo_HeatmapApi_IsTheGridWithEveryHostsLowestPart()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        var heatmap = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/heatmap/grid");
        var zones = heatmap.GetProperty("zones").EnumerateArray().ToList();
        Assert.Equal(4, zones.Count);
        var racks = zones.SelectMany(z => z.GetProperty("racks").EnumerateArray()).ToList();
        Assert.Equal(12, racks.Count);
        var hosts = racks.SelectMany(r => r.GetProperty("hosts").EnumerateArray()).ToList();
        Assert.Equal(40, hosts.Count);
        foreach (var h in hosts)
        {
            Assert.InRange(h.GetProperty("desirability").GetDouble(), 0, 1);
            Assert.Contains(h.GetProperty("worstPart").GetString(), Parts);
            Assert.Matches("^#[0-9a-f]{6}$", h.GetProperty("colour").GetString());
        }
        // Drill-down: every cell's id is a locality of the API.
        var one = hosts[0].GetProperty("locality").GetString();
        var locality = await demo.Http.GetFromJsonAsync<JsonElement>($"/api/v1/localities/{one}");
        Assert.Equal(one, locality.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Demo_Alerts_FireAndResolve()
    {
        await demo.WaitForAllScoredAsync(TimeSpan.FromSeconds(180));
        var wait = System.Diagnostics.Stopwatch.StartNew();
        JsonElement history;
        bool fired, resolved;
        do
        {
            history = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/alerts/history?limit=10000");
            var moves = history.EnumerateArray().Select(t => t.GetProperty("to").GetString()).ToList();
            fired = moves.Contains("firing");
            resolved = moves.Contains("resolved");
            if (!(fired && resolved))
            {
                await Task.Delay(1000);
            }
        }
        while (!(fired && resolved) && wait.Elapsed < TimeSpan.FromSeconds(120));
        Assert.True(fired && resolved, $"after {wait.Elapsed.TotalSeconds:0} s: fired {fired}, resolved {resolved}; history: {history}");
        var alerts = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/alerts");
        foreach (var a in alerts.EnumerateArray())
        {
            Assert.False(string.IsNullOrEmpty(a.GetProperty("name").GetString()));
            Assert.Contains(a.GetProperty("state").GetString(), new[] { "pending", "firing", "resolved" });
            Assert.True(DateTimeOffset.TryParse(a.GetProperty("since").GetString(), out _));
        }
    }

    [Fact]
    public async Task ScoreCli_PngOutput_WritesTheHeatmapPicture()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "heatmap.png");
        var (code, _, err) = await CliProcess.RunAsync(dir.Path, ["score", "--demo", "-o", "png", "--output", path]);
        Assert.True(code == 0, err);
        Assert.Contains("wrote", err, StringComparison.Ordinal);
        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        // 4 zones × (label + racks), 40 hosts: taller than a few rows, wider than the label column.
        Assert.True(bitmap.Width > HeatmapPlot.Label && bitmap.Height > 150, $"{bitmap.Width}×{bitmap.Height}");
        // The first host square of the first rack is a scored (coloured, not grey or white) cell.
        var cell = bitmap.GetPixel(HeatmapPlot.Label + 2, HeatmapPlot.Top + 20 + 2);
        Assert.NotEqual(SKColors.White, cell);
        Assert.NotEqual(SKColor.Parse("#cccccc"), cell);
    }

    [Fact]
    public async Task ScoreCli_PngIntoAMissingDirectory_ExitsOneNamingIt()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "nowhere", "heatmap.png");
        var (code, _, err) = await CliProcess.RunAsync(dir.Path, ["score", "--demo", "-o", "png", "--output", path]);
        Assert.Equal(1, code);
        Assert.Contains("does not exist", err, StringComparison.Ordinal);
    }

    [Fact]
    public void HeatmapPlot_DrawsEachHostInItsColour_AndGreyWhenNotScored()
    {
        var heatmap = new Heatmap(DateTimeOffset.UnixEpoch,
        [
            new HeatmapZone("z1", "r1", 0.5, Heatmap.Colour(0.5),
            [
                new HeatmapRack("k1", 0.5, Heatmap.Colour(0.5),
                [
                    new HeatmapCell("h1", 0.0, "risk", 0.0, Heatmap.Colour(0.0)),
                    new HeatmapCell("h2", 1.0, "cost", 1.0, Heatmap.Colour(1.0)),
                    new HeatmapCell("h3", null, null, null, Heatmap.Colour(null)),
                ]),
            ]),
        ]);
        using var bitmap = SKBitmap.Decode(HeatmapPlot.RenderPng(heatmap));
        var y = HeatmapPlot.Top + 20 + 1;
        // Corners of the squares (the part letter sits in the middle).
        Assert.Equal(SKColor.Parse("#d73027"), bitmap.GetPixel(HeatmapPlot.Label + 1, y));
        Assert.Equal(SKColor.Parse("#1a9850"), bitmap.GetPixel(HeatmapPlot.Label + HeatmapPlot.Cell + HeatmapPlot.Gap + 1, y));
        Assert.Equal(SKColor.Parse("#cccccc"), bitmap.GetPixel(HeatmapPlot.Label + 2 * (HeatmapPlot.Cell + HeatmapPlot.Gap) + 1, y));
        Assert.Equal(SKColors.White, bitmap.GetPixel(HeatmapPlot.Label + 3 * (HeatmapPlot.Cell + HeatmapPlot.Gap) + 1, y));
    }
}
