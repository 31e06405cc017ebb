using Auspex.Engine.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Auspex.Server.Endpoints;

internal static class SeriesEndpoints
{
    public static IEndpointRouteBuilder MapSeriesEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1").WithTags("Series");
        g.MapGet("/series", (string? match, FleetService fleet, ServerOptions opts) =>
            {
                var m = QueryParams.TryMatch(match, out var err);
                if (m is null)
                {
                    return AuspexServer.Problem(400, "Bad query", err!);
                }
                var list = fleet.Series(m);
                return list.Count > opts.MaxSeriesPerQuery
                    ? AuspexServer.Problem(400, "Too many series", $"the selector matches {list.Count} series, more than the limit of {opts.MaxSeriesPerQuery}; narrow it")
                    : Results.Ok(list);
            })
            .WithName("FindSeries").WithSummary("Series whose labels match a PromQL selector, e.g. match={host=\"vm-017\"}.")
            .Produces<IReadOnlyList<SeriesView>>().ProducesProblem(400);
        g.MapGet("/series/query", async (string? match, string? from, string? to, string? resolution, FleetService fleet, ServerOptions opts, CancellationToken ct) =>
            {
                var m = QueryParams.TryMatch(match, out var err);
                if (m is null || !QueryParams.TryRange(from, to, fleet.Status().Now, TimeSpan.FromHours(6), out var range, out err)
                    || !QueryParams.TryResolution(resolution, out var res, out err))
                {
                    return AuspexServer.Problem(400, "Bad query", err!);
                }
                var n = fleet.Series(m).Count;
                if (n > opts.MaxSeriesPerQuery)
                {
                    return AuspexServer.Problem(400, "Too many series", $"the selector matches {n} series, more than the limit of {opts.MaxSeriesPerQuery}; narrow it");
                }
                var data = await fleet.ReadAsync(m, range, res, ct);
                var points = data.Sum(d => d.Points.Count);
                return points > opts.MaxPointsPerQuery
                    ? AuspexServer.Problem(400, "Too many points", $"the query returns {points} points, more than the limit of {opts.MaxPointsPerQuery}; shorten the range or use resolution=5m or 1h")
                    : Results.Ok(data);
            })
            .WithName("QuerySeries").WithSummary("Samples of matching series in [from, to) as [unix-ms, value] pairs; resolution auto|raw|5m|1h.")
            .Produces<IReadOnlyList<SeriesPointsView>>().ProducesProblem(400);
        g.MapGet("/forecasts", async (string? match, FleetService fleet, ServerOptions opts, CancellationToken ct) =>
            {
                var m = QueryParams.TryMatch(match, out var err);
                if (m is null)
                {
                    return AuspexServer.Problem(400, "Bad query", err!);
                }
                var n = fleet.Series(m).Count;
                return n > opts.MaxSeriesPerQuery
                    ? AuspexServer.Problem(400, "Too many series", $"the selector matches {n} series, more than the limit of {opts.MaxSeriesPerQuery}; narrow it")
                    : Results.Ok(await fleet.ForecastsAsync(m, ct));
            })
            .WithTags("Forecasts").WithName("GetForecasts").WithSummary("The latest forecast (mean and quantiles per step) of each matching series.")
            .Produces<IReadOnlyList<ForecastView>>().ProducesProblem(400);
        return app;
    }
}
