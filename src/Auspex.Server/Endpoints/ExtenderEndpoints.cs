using System.Text.Json;
using Auspex.Engine;
using Auspex.Kubernetes.Extender;
using Auspex.Placement.Selection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Auspex.Server.Endpoints;

/// <summary>
/// The kube-scheduler extender at <c>/k8s/extender</c> (filter and prioritize, the wire format kube-scheduler sends),
/// deciding on the loop's latest forecasts and scores. See docs/placement.md for the KubeSchedulerConfiguration.
/// </summary>
internal static class ExtenderEndpoints
{
    public static IServiceCollection AddExtender(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var rt = sp.GetRequiredService<AuspexRuntime>();
            var cache = new SnapshotCache(rt);
            return SchedulerExtender.Create(LocalitySelection.Create(), cache.Current, rt.Loop.Clock);
        });
        return services;
    }

    public static IEndpointRouteBuilder MapExtenderEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/k8s/extender").WithTags("Kubernetes scheduler extender");
        g.MapPost("/filter", async (HttpRequest req, ISchedulerExtender ext, CancellationToken ct) =>
        {
            ExtenderArgs? args;
            try
            {
                args = await ExtenderJson.ReadArgsAsync(req.Body, ct);
            }
            catch (JsonException e)
            {
                return Json(ExtenderJson.Write(new ExtenderFilterResult { Error = $"auspex: malformed ExtenderArgs: {e.Message}" }));
            }
            return Json(ExtenderJson.Write(args is null ? new ExtenderFilterResult { Error = "auspex: empty body" } : ext.Filter(args)));
        }).WithName("ExtenderFilter").WithSummary("kube-scheduler extender filter verb (ExtenderArgs → ExtenderFilterResult).");
        g.MapPost("/prioritize", async (HttpRequest req, ISchedulerExtender ext, CancellationToken ct) =>
        {
            try
            {
                var args = await ExtenderJson.ReadArgsAsync(req.Body, ct);
                return args is null
                    ? AuspexServer.Problem(400, "Bad ExtenderArgs", "empty body")
                    : Json(ExtenderJson.Write(ext.Prioritize(args)));
            }
            catch (JsonException e)
            {
                return AuspexServer.Problem(400, "Bad ExtenderArgs", $"malformed ExtenderArgs: {e.Message}");
            }
        }).WithName("ExtenderPrioritize").WithSummary("kube-scheduler extender prioritize verb (ExtenderArgs → HostPriorityList, scores 0–10).");
        return app;
    }

    private static IResult Json(string body) => Results.Text(body, "application/json");

    /// <summary>Builds the placement snapshot once per loop tick.</summary>
    private sealed class SnapshotCache(AuspexRuntime rt)
    {
        private readonly Lock _gate = new();
        private (DateTimeOffset At, PlacementSnapshot Snapshot)? _cached;

        public PlacementSnapshot Current()
        {
            var latest = rt.Loop.Latest;
            lock (_gate)
            {
                if (latest is null)
                {
                    return PlacementSnapshot.Create(rt.Topology.Current, [], [], rt.Loop.Clock.GetUtcNow());
                }
                if (_cached is not { } c || c.At != latest.At)
                {
                    var forecasts = latest.Forecasts.Select(f => new HostUsageForecast(f.Host, f.Resource, f.Forecast));
                    _cached = (latest.At, PlacementSnapshot.Create(latest.Topology, forecasts, latest.Scores, latest.At));
                }
                return _cached.Value.Snapshot;
            }
        }
    }
}
