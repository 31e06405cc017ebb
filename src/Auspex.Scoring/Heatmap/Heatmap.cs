using System.Globalization;
using Auspex.Core.Scores;
using Auspex.Core.Topology;

namespace Auspex.Scoring;

/// <summary>One cell of the heatmap: a host with its desirability, colour and the part that pulls it down most.</summary>
/// <param name="Locality">Host id.</param>
/// <param name="Desirability">0–1, or null when not scored.</param>
/// <param name="WorstPart">Name of the lowest part (capacity, risk, cost, proximity), or null.</param>
/// <param name="WorstValue">Its value.</param>
/// <param name="Colour">Hex colour: red (0) → yellow (0.5) → green (1); grey when not scored.</param>
public sealed record HeatmapCell(string Locality, double? Desirability, string? WorstPart, double? WorstValue, string Colour);

/// <summary>A rack row: its own score and its hosts.</summary>
public sealed record HeatmapRack(string Id, double? Desirability, string Colour, IReadOnlyList<HeatmapCell> Hosts);

/// <summary>A zone block: its own score and its racks.</summary>
public sealed record HeatmapZone(string Id, string? Region, double? Desirability, string Colour, IReadOnlyList<HeatmapRack> Racks);

/// <summary>
/// The heatmap as a grid grouped by zone and rack (seed 000): one block per zone, one row per rack, one cell per host,
/// every level carrying its own desirability for drill-down.
/// </summary>
public sealed record Heatmap(DateTimeOffset At, IReadOnlyList<HeatmapZone> Zones)
{
    /// <summary>Builds the grid from a topology and one pass of scores.</summary>
    public static Heatmap Build(Topology topology, IReadOnlyList<LocalityScore> scores, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(scores);
        var byId = scores.GroupBy(s => s.Locality, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        double? D(string id) => byId.TryGetValue(id, out var s) ? s.Desirability : null;
        var zones = topology.Localities.Where(l => l.Kind == LocalityKind.Zone).Select(z => new HeatmapZone(z.Id, z.Parent, D(z.Id), Colour(D(z.Id)),
            topology.Children(z.Id).Where(r => r.Kind == LocalityKind.Rack).Select(r => new HeatmapRack(r.Id, D(r.Id), Colour(D(r.Id)),
                topology.Children(r.Id).Where(h => h.Kind == LocalityKind.Host).Select(h =>
                {
                    var s = byId.GetValueOrDefault(h.Id);
                    var worst = s?.Parts.OrderBy(p => p.Value.Value).ThenBy(p => p.Key, StringComparer.Ordinal).FirstOrDefault();
                    return new HeatmapCell(h.Id, s?.Desirability, worst?.Key, worst?.Value.Value, Colour(s?.Desirability));
                }).ToList())).ToList())).ToList();
        return new Heatmap(at, zones);
    }

    /// <summary>Red #d73027 at 0, yellow #fee08b at 0.5, green #1a9850 at 1 (linear in RGB); #cccccc for null.</summary>
    public static string Colour(double? desirability)
    {
        if (desirability is not { } d || double.IsNaN(d))
        {
            return "#cccccc";
        }
        d = ScoreNormalizer.Clamp01(d);
        (int R, int G, int B) red = (0xd7, 0x30, 0x27), yellow = (0xfe, 0xe0, 0x8b), green = (0x1a, 0x98, 0x50);
        var (from, to, t) = d < 0.5 ? (red, yellow, d / 0.5) : (yellow, green, (d - 0.5) / 0.5);
        int Mix(int a, int b) => (int)Math.Round(a + (b - a) * t);
        return string.Create(CultureInfo.InvariantCulture, $"#{Mix(from.R, to.R):x2}{Mix(from.G, to.G):x2}{Mix(from.B, to.B):x2}");
    }
}
