using Auspex.Engine;
using Auspex.Engine.Services;
using Auspex.Ingestion;
using Auspex.Ingestion.Csv;
using Auspex.Ingestion.Influx;
using Auspex.Ingestion.RemoteWrite;
using Auspex.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Auspex.Server.Endpoints;

/// <summary>
/// Push endpoints: Prometheus remote_write 1.0, InfluxDB line protocol (v1 and v2) and long-format CSV. Every one
/// requires an operator key of the served tenant, stores a request atomically or not at all, answers bad input with
/// 400 naming what and where, and overload with 429 and Retry-After.
/// </summary>
internal static class IngestEndpoints
{
    public static IEndpointRouteBuilder MapIngestEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/write", async (HttpContext ctx, AuspexRuntime rt, AuthOptions auth, CancellationToken ct) =>
        {
            if (ApiKeyAuth.Require(ctx, auth, Role.Operator, rt.Loop.Tenant.Value) is { } denied)
            {
                return denied;
            }
            var encoding = ctx.Request.Headers.ContentEncoding.ToString();
            if (encoding.Length > 0 && !string.Equals(encoding, RemoteWriteProtocol.ContentEncoding, StringComparison.OrdinalIgnoreCase))
            {
                return Results.Text($"unsupported Content-Encoding '{encoding}': remote_write 1.0 bodies are snappy block-compressed\n", statusCode: 400);
            }
            var body = await ReadBodyAsync(ctx, ct);
            if (body is null)
            {
                return Results.Text("request body too large\n", statusCode: 413);
            }
            var parsed = RemoteWriteDecoder.Decode(body);
            return await Store(rt, parsed, ctx, plainText: true, ct);
        }).WithTags("Ingestion").WithName("RemoteWrite").WithSummary("Prometheus remote_write 1.0 receiver (protobuf + snappy). 204 on success.")
          .Accepts<byte[]>(RemoteWriteProtocol.ContentType);

        async Task<IResult> Influx(HttpContext ctx, AuspexRuntime rt, AuthOptions auth, CancellationToken ct)
        {
            if (ApiKeyAuth.Require(ctx, auth, Role.Operator, rt.Loop.Tenant.Value) is { } denied)
            {
                return denied;
            }
            var p = ctx.Request.Query["precision"].ToString();
            if (!InfluxPrecisions.TryParse(p, out var precision))
            {
                return InfluxError(400, "invalid", $"precision '{p}' is not one of ns, us, ms, s, m, h");
            }
            var body = await ReadBodyAsync(ctx, ct);
            if (body is null)
            {
                return InfluxError(413, "request too large", "request body too large");
            }
            var parsed = InfluxLineProtocolParser.Parse(body, precision, rt.Loop.Clock.GetUtcNow());
            if (!parsed.IsSuccess)
            {
                return InfluxError(400, "invalid", parsed.ErrorMessage);
            }
            return await Store(rt, parsed, ctx, plainText: false, ct);
        }
        app.MapPost("/write", Influx).WithTags("Ingestion").WithName("InfluxWriteV1").WithSummary("InfluxDB 1.x line protocol write (db, precision). 204 on success.");
        app.MapPost("/api/v2/write", Influx).WithTags("Ingestion").WithName("InfluxWriteV2").WithSummary("InfluxDB 2.x line protocol write (bucket, org, precision). 204 on success.");

        app.MapPost("/api/v1/import", async (HttpContext ctx, AuspexRuntime rt, AuthOptions auth, CancellationToken ct) =>
        {
            if (ApiKeyAuth.Require(ctx, auth, Role.Operator, rt.Loop.Tenant.Value) is { } denied)
            {
                return denied;
            }
            var body = await ReadBodyAsync(ctx, ct);
            if (body is null)
            {
                return AuspexServer.Problem(413, "Too large", "request body too large; import big files with 'auspex import'");
            }
            var read = LongCsv.Read(new MemoryStream(body), "request body");
            if (!read.Ok)
            {
                return AuspexServer.Problem(400, "Bad CSV", string.Join("\n", read.Errors));
            }
            var actor = ctx.Items["auspex.actor"] as string ?? "api";
            var r = await rt.Imports.StoreAsync(rt.Loop.Tenant, "api import", read.Rows, read.Series, actor, ct);
            return r.Ok ? Results.Ok(r) : AuspexServer.Problem(400, "Bad CSV", string.Join("\n", r.Errors));
        }).WithTags("Ingestion").WithName("ImportCsv").WithSummary("Import long-format CSV (unique_id,ds,y[,metric][,labels…]); all rows or none.")
          .Accepts<string>("text/csv").Produces<ImportResult>().ProducesProblem(400).ProducesProblem(401);
        return app;
    }

    private static async Task<IResult> Store(AuspexRuntime rt, ParseResult parsed, HttpContext ctx, bool plainText, CancellationToken ct)
    {
        if (!parsed.IsSuccess)
        {
            return plainText ? Results.Text(parsed.ErrorMessage + "\n", statusCode: 400) : InfluxError(400, "invalid", parsed.ErrorMessage);
        }
        var r = await rt.Ingest.AppendAsync(rt.Loop.Tenant, parsed.Series, ct);
        if (r.Overloaded)
        {
            ctx.Response.Headers.RetryAfter = "1";
            return plainText ? Results.Text("overloaded: retry later\n", statusCode: 429) : InfluxError(429, "too many requests", "overloaded: retry later");
        }
        if (!r.Ok)
        {
            var msg = string.Join("\n", r.Errors);
            return plainText ? Results.Text(msg + "\n", statusCode: 400) : InfluxError(400, "invalid", msg);
        }
        return Results.NoContent();
    }

    private static IResult InfluxError(int status, string code, string message) =>
        Results.Json(new { code, message }, statusCode: status);

    private static async Task<byte[]?> ReadBodyAsync(HttpContext ctx, CancellationToken ct)
    {
        try
        {
            using var ms = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(ms, ct);
            return ms.ToArray();
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == 413)
        {
            return null;
        }
    }
}
