using Auspex.Engine;
using Auspex.Engine.Services;
using Auspex.Scoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Auspex.Server.Endpoints;

internal static class LocalityEndpoints
{
    public static IEndpointRouteBuilder MapLocalityEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/localities").WithTags("Localities");
        g.MapGet("/", async (FleetService fleet, CancellationToken ct) => Results.Ok(await fleet.LocalitiesAsync(ct)))
            .WithName("ListLocalities")
            .WithSummary("Every locality (region, zone, rack, host) with its latest score; score is null before the first tick.")
            .Produces<IReadOnlyList<LocalityView>>();
        // One locality (what the heatmap fetches on hover): from the latest scores kept in memory, not a store query.
        g.MapGet("/{id}", async (string id, Auspex.Engine.AuspexRuntime rt, LatestScores latest, CancellationToken ct) =>
                rt.Topology.Current.Find(id) is { } l
                    ? Results.Ok(HeatmapEndpoints.LocalityView(l, (await latest.GetAsync(ct)).ById.GetValueOrDefault(id)))
                    : NotFound(id))
            .WithName("GetLocality")
            .WithSummary("One locality with its latest score.")
            .Produces<LocalityView>().ProducesProblem(404);
        g.MapGet("/{id}/scores", async (string id, string? from, string? to, FleetService fleet, CancellationToken ct) =>
            {
                if (!QueryParams.TryRange(from, to, fleet.Status().Now, TimeSpan.FromDays(1), out var range, out var err))
                {
                    return AuspexServer.Problem(400, "Bad query", err!);
                }
                return await fleet.ScoreHistoryAsync(id, range, ct) is { } h ? Results.Ok(h) : NotFound(id);
            })
            .WithName("GetLocalityScores")
            .WithSummary("A locality's score history (default: the last day of the loop's clock).")
            .Produces<IReadOnlyList<ScoreView>>().ProducesProblem(400).ProducesProblem(404);
        app.MapGet("/api/v1/heatmap/grid", (AuspexRuntime rt) =>
                rt.Loop.Latest is { } latest
                    ? Results.Ok(Heatmap.Build(latest.Topology, latest.Scores, latest.At))
                    : AuspexServer.Problem(503, "No scores yet", "the loop has not scored the fleet yet"))
            .WithTags("Localities")
            .WithName("GetHeatmapGrid")
            .WithSummary("The latest scores as the heatmap grid: zones → racks → host cells, each level with its desirability and colour, each host with its lowest part (drill down with /api/v1/localities/{id}).")
            .Produces<Heatmap>().ProducesProblem(503);
        return app;
    }

    private static IResult NotFound(string id) => AuspexServer.Problem(404, "Unknown locality", $"no locality has id '{id}'");
}
