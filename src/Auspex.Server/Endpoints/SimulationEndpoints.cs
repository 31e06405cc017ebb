using System.Text.Json;
using System.Text.Json.Serialization;
using Auspex.Engine;
using Auspex.Server.Auth;
using Auspex.Simulation.Shadow;
using Auspex.Simulation.WhatIf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Auspex.Server.Endpoints;

/// <summary>
/// The shadow infrastructure (<c>GET /api/v1/shadow</c>) and what-if analysis (<c>POST /api/v1/whatif</c>): thin
/// adapters over <see cref="Engine.Services.ShadowService"/>. A what-if changes nothing, so it is a read: open to
/// anonymous callers when anonymous reads are on, otherwise any key of the tenant.
/// </summary>
internal static class SimulationEndpoints
{
    /// <summary>Largest what-if body accepted.</summary>
    public const int MaxWhatIfBytes = 64 * 1024;

    private static readonly JsonSerializerOptions ScenarioJson = CreateScenarioJson();

    public static IEndpointRouteBuilder MapSimulationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/shadow", async (HttpContext ctx, AuspexRuntime rt, AuthOptions auth, CancellationToken ct) =>
            {
                if (!auth.AnonymousReads && ApiKeyAuth.Require(ctx, auth, Role.Viewer, rt.Loop.Tenant.Value) is { } denied)
                {
                    return denied;
                }
                var snap = await rt.Shadow.CurrentAsync(ct);
                return snap is null ? NotReady() : Results.Ok(snap);
            })
            .WithTags("Shadow").WithName("GetShadow")
            .WithSummary("The shadow infrastructure: per locality the live and the predicted value of each resource, the differences, alerts on the shadow and the pre-provisioning queue.")
            .Produces<ShadowSnapshot>().ProducesProblem(503);

        app.MapPost("/api/v1/whatif", async (HttpContext ctx, AuspexRuntime rt, AuthOptions auth, CancellationToken ct) =>
            {
                if (!auth.AnonymousReads && ApiKeyAuth.Require(ctx, auth, Role.Viewer, rt.Loop.Tenant.Value) is { } denied)
                {
                    return denied;
                }
                var (scenario, error) = await ReadScenarioAsync(ctx, ct);
                if (scenario is null)
                {
                    return AuspexServer.Problem(error == "too large" ? 413 : 400, "Bad what-if", error == "too large" ? $"the body is larger than {MaxWhatIfBytes} bytes" : error!);
                }
                var (result, errors) = await rt.Shadow.WhatIfAsync(scenario, ct);
                if (errors.Count > 0)
                {
                    return AuspexServer.Problem(400, "Bad what-if", string.Join("; ", errors));
                }
                return result is null ? NotReady() : Results.Ok(result);
            })
            .WithTags("Shadow").WithName("WhatIf")
            .WithSummary("The predicted effect of a scenario (traffic multiplier, scaling factor, failed localities, maintenance windows, tier prices) on the live and the shadow infrastructure: scores, SLOs, cost.")
            .Accepts<WhatIfScenario>("application/json")
            .Produces<WhatIfResult>().ProducesProblem(400).ProducesProblem(413).ProducesProblem(503);
        return app;
    }

    private static async Task<(WhatIfScenario? Scenario, string? Error)> ReadScenarioAsync(HttpContext ctx, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = await ctx.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > MaxWhatIfBytes)
            {
                return (null, "too large");
            }
            buffer.Write(chunk, 0, n);
        }
        if (buffer.Length == 0)
        {
            return (new WhatIfScenario(), null);
        }
        try
        {
            var s = JsonSerializer.Deserialize<WhatIfScenario>(buffer.ToArray(), ScenarioJson);
            return s is null ? (null, "the body is JSON null; send an object such as {\"trafficMultiplier\": 1.5}") : (s, null);
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 0 } p ? $" at {p}" : "";
            var line = e.LineNumber is { } l ? $" (line {l + 1}, byte {e.BytePositionInLine + 1})" : "";
            return (null, $"malformed what-if JSON{where}{line}: {e.Message.Split(" Path:", 2)[0]}");
        }
    }

    private static JsonSerializerOptions CreateScenarioJson()
    {
        var o = new JsonSerializerOptions { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };
        AuspexServer.Configure(o);
        o.NumberHandling = JsonNumberHandling.Strict;
        return o;
    }

    private static IResult NotReady() => AuspexServer.Problem(503, "Not ready", "the loop has not ticked yet; the shadow is built from its first forecasts");
}
