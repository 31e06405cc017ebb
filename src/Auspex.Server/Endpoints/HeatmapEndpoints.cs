using Auspex.Core.Scores;
using Auspex.Core.Topology;
using Auspex.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Auspex.Server.Endpoints;

/// <summary>
/// What the heatmap draws, columnar: one array per field over the localities in topology order (parents first), so
/// 10,000 localities are a few hundred KB instead of the 6 MB of <c>/api/v1/localities</c> with every part's
/// explanation. A locality's parts, weights and explanations are fetched when needed from <c>/api/v1/localities/{id}</c>.
/// </summary>
/// <param name="Tenant">The served tenant.</param>
/// <param name="At">When the newest score shown was computed (the loop's clock), or null before the first.</param>
/// <param name="Count">How many localities (the length of every array).</param>
/// <param name="KindNames">The names the <paramref name="Kind"/> codes index: region, zone, rack, host.</param>
/// <param name="Ids">Locality ids.</param>
/// <param name="Kind">Per locality: its kind, an index into <paramref name="KindNames"/>.</param>
/// <param name="Parent">Per locality: the index of its parent in <paramref name="Ids"/>, or -1 (a region, or the root of <c>under</c>).</param>
/// <param name="Desirability">Per locality: its latest desirability (0 risky … 1 desirable, 4 decimals), or null when not scored yet.</param>
/// <param name="Parts">Part name → per locality that part's value (4 decimals), or null; empty when <c>parts=false</c>.</param>
public sealed record HeatmapView(
    string Tenant,
    DateTimeOffset? At,
    int Count,
    IReadOnlyList<string> KindNames,
    IReadOnlyList<string> Ids,
    IReadOnlyList<int> Kind,
    IReadOnlyList<int> Parent,
    IReadOnlyList<double?> Desirability,
    IReadOnlyDictionary<string, double?[]> Parts);

internal static class HeatmapEndpoints
{
    private static readonly string[] KindNames = Enum.GetValues<LocalityKind>().Select(k => k.ToString().ToLowerInvariant()).ToArray();
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal) { "under", "parts" };

    public static IEndpointRouteBuilder MapHeatmapEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/heatmap", async (HttpContext ctx, AuspexRuntime rt, LatestScores latest, CancellationToken ct) =>
            {
                var q = ctx.Request.Query;
                foreach (var k in q.Keys)
                {
                    if (!Known.Contains(k))
                    {
                        return AuspexServer.Problem(400, "Bad query", $"unknown query parameter '{k}': the heatmap takes 'under' (a locality id) and 'parts' (true or false)");
                    }
                }
                if (q["under"].Count > 1 || q["parts"].Count > 1)
                {
                    return AuspexServer.Problem(400, "Bad query", "give 'under' and 'parts' at most once each");
                }
                var withParts = true;
                var partsText = q["parts"].ToString();
                if (q.ContainsKey("parts") && !bool.TryParse(partsText, out withParts))
                {
                    return AuspexServer.Problem(400, "Bad query", $"parameter 'parts': '{partsText}' is neither true nor false");
                }
                var topology = rt.Topology.Current;
                var under = q.ContainsKey("under") ? q["under"].ToString() : null;
                if (under is not null && topology.Find(under) is null)
                {
                    return AuspexServer.Problem(404, "Unknown locality", $"parameter 'under': no locality has id '{under}'");
                }
                var snap = await latest.GetAsync(ct);
                return Results.Ok(Build(rt.Loop.Tenant.Value, topology, snap, under, withParts));
            })
            .WithTags("Localities").WithName("GetHeatmap")
            .WithSummary("The heatmap, columnar: ids, kinds, parent indexes, latest desirability and each part's value per locality (topology order); "
                + "under=ID keeps that locality's subtree, parts=false drops the parts. Parts' weights and explanations: GET /api/v1/localities/{id}.")
            .Produces<HeatmapView>().ProducesProblem(400).ProducesProblem(404);
        return app;
    }

    internal static HeatmapView Build(string tenant, Topology topology, LatestScores.Snapshot snap, string? under, bool withParts)
    {
        IEnumerable<Locality> all = topology.Localities;
        if (under is not null)
        {
            all = all.Where(l => Within(topology, l, under));
        }
        var locs = all.ToList();
        var index = new Dictionary<string, int>(locs.Count, StringComparer.Ordinal);
        for (var i = 0; i < locs.Count; i++)
        {
            index[locs[i].Id] = i;
        }
        var ids = new string[locs.Count];
        var kind = new int[locs.Count];
        var parent = new int[locs.Count];
        var desirability = new double?[locs.Count];
        var parts = new Dictionary<string, double?[]>(StringComparer.Ordinal);
        DateTimeOffset? at = null;
        for (var i = 0; i < locs.Count; i++)
        {
            var l = locs[i];
            ids[i] = l.Id;
            kind[i] = (int)l.Kind;
            parent[i] = l.Parent is { } p && index.TryGetValue(p, out var pi) ? pi : -1;
            if (!snap.ById.TryGetValue(l.Id, out var s))
            {
                continue;
            }
            desirability[i] = Round(s.Desirability);
            if (at is null || s.At > at)
            {
                at = s.At;
            }
            if (!withParts)
            {
                continue;
            }
            foreach (var (name, part) in s.Parts)
            {
                if (!parts.TryGetValue(name, out var column))
                {
                    parts[name] = column = new double?[locs.Count];
                }
                column[i] = Round(part.Value);
            }
        }
        return new HeatmapView(tenant, at, locs.Count, KindNames, ids, kind, parent, desirability, parts);
    }

    private static bool Within(Topology topology, Locality l, string root)
    {
        for (Locality? x = l; x is not null; x = x.Parent is { } p ? topology.Find(p) : null)
        {
            if (x.Id == root)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>4 decimals (a colour needs fewer); NaN and infinities, which no score should hold, as null.</summary>
    private static double? Round(double v) => double.IsFinite(v) ? Math.Round(v, 4) : null;

    /// <summary>A locality with its latest score as <c>/api/v1/localities/{id}</c> shows it, from the cached scores.</summary>
    internal static Engine.Services.LocalityView LocalityView(Locality l, LocalityScore? s) =>
        new(l.Id, l.KindName, l.Parent, l.Tier,
            l.Capacity.Values.ToDictionary(p => Core.Resources.ResourceKinds.Key(p.Key), p => p.Value),
            l.Labels.ToDictionary(p => p.Key, p => p.Value),
            s is null ? null : new Engine.Services.ScoreView(s.Desirability,
                s.Parts.ToDictionary(p => p.Key, p => p.Value.Value),
                s.Parts.ToDictionary(p => p.Key, p => p.Value.Weight),
                s.Parts.ToDictionary(p => p.Key, p => p.Value.Explanation),
                s.At));
}
