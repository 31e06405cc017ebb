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
/// Push endpoints: Prometheus remote_write 1.0 and 2.0, InfluxDB line protocol (v1 and v2) and long-format CSV. Every one
/// requires an operator key of the served tenant, stores a request atomically or not at all, answers bad input with
/// 400 naming what and where, and overload with 429 and Retry-After. A request may write to another tenant by naming it
/// in <c>X-Scope-OrgID</c> (Cortex/Mimir) when its key belongs to that tenant or is an admin key (else 403).
/// </summary>
internal static class IngestEndpoints
{
    public static IEndpointRouteBuilder MapIngestEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/write", async (HttpContext ctx, AuspexRuntime rt, AuthOptions auth, CancellationToken ct) =>
        {
            if (TenantHeader.ForWrite(ctx, auth, rt.Loop.Tenant, Role.Operator, out var denied) is not { } tenant)
            {
                return denied!;
            }
            if (RemoteWriteProtocol.Negotiate(ctx.Request.ContentType, out var message) is { } unsupported)
            {
                return Results.Text(unsupported.Message + "\n", statusCode: 415);
            }
            var encoding = ctx.Request.Headers.ContentEncoding.ToString();
            if (encoding.Length > 0 && !string.Equals(encoding, RemoteWriteProtocol.ContentEncoding, StringComparison.OrdinalIgnoreCase))
            {
                return Results.Text($"unsupported Content-Encoding '{encoding}': remote_write bodies are snappy block-compressed\n", statusCode: 415);
            }
            var (body, length) = await ReadPooledBodyAsync(ctx, ct);
            if (body is null)
            {
                return Results.Text("request body too large\n", statusCode: 413);
            }
            ParseResult parsed;
            try
            {
                if (message == RemoteWriteMessage.V2)
                {
                    var v2 = RemoteWriteV2Decoder.Decode(body.AsSpan(0, length));
                    ReturnPooled(ref body);
                    return await StoreV2(rt, tenant, v2, ctx, ct);
                }
                // Series keys are remembered by their label bytes across requests (Prometheus resends every series
                // each interval), so a repeated series skips label decoding, validation and key building.
                parsed = RemoteWriteDecoder.Decode(body.AsSpan(0, length), cache: RemoteWriteKeys);
            }
            finally
            {
                ReturnPooled(ref body);
            }
            return await Store(rt, tenant, parsed, ctx, plainText: true, ct);
        }).WithTags("Ingestion").WithName("RemoteWrite")
          .WithSummary("Prometheus remote_write receiver: 1.0 (prometheus.WriteRequest) and 2.0 (io.prometheus.write.v2.Request), protobuf + snappy. 204 on success.")
          .Accepts<byte[]>(RemoteWriteProtocol.ContentType);

        async Task<IResult> Influx(HttpContext ctx, AuspexRuntime rt, AuthOptions auth, CancellationToken ct)
        {
            if (TenantHeader.ForWrite(ctx, auth, rt.Loop.Tenant, Role.Operator, out var denied) is not { } tenant)
            {
                return denied!;
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
            return await Store(rt, tenant, parsed, ctx, plainText: false, ct);
        }
        app.MapPost("/write", Influx).WithTags("Ingestion").WithName("InfluxWriteV1").WithSummary("InfluxDB 1.x line protocol write (db, precision). 204 on success.");
        app.MapPost("/api/v2/write", Influx).WithTags("Ingestion").WithName("InfluxWriteV2").WithSummary("InfluxDB 2.x line protocol write (bucket, org, precision). 204 on success.");

        app.MapPost("/api/v1/import", async (HttpContext ctx, AuspexRuntime rt, AuthOptions auth, CancellationToken ct) =>
        {
            if (TenantHeader.ForWrite(ctx, auth, rt.Loop.Tenant, Role.Operator, out var denied) is not { } tenant)
            {
                return denied!;
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
            var r = await rt.Imports.StoreAsync(tenant, "api import", read.Rows, read.Series, actor, ct);
            return r.Ok ? Results.Ok(r) : AuspexServer.Problem(400, "Bad CSV", string.Join("\n", r.Errors));
        }).WithTags("Ingestion").WithName("ImportCsv").WithSummary("Import long-format CSV (unique_id,ds,y[,metric][,labels…]); all rows or none.")
          .Accepts<string>("text/csv").Produces<ImportResult>().ProducesProblem(400).ProducesProblem(401);

        app.MapGet("/api/v1/ingest/status", (AuspexRuntime rt) => Results.Ok(rt.Pipeline.Status()))
          .WithTags("Ingestion").WithName("IngestStatus")
          .WithSummary("Scrape targets (health, last scrape, error), file_sd errors, Prometheus sources and remote_write sinks of the running configuration.")
          .Produces<Auspex.Engine.Pipeline.PipelineStatus>();
        return app;
    }

    private static async Task<IResult> Store(AuspexRuntime rt, Auspex.Core.Series.TenantId tenant, ParseResult parsed, HttpContext ctx, bool plainText, CancellationToken ct)
    {
        if (!parsed.IsSuccess)
        {
            return plainText ? Results.Text(parsed.ErrorMessage + "\n", statusCode: 400) : InfluxError(400, "invalid", parsed.ErrorMessage);
        }
        var r = await rt.Ingest.AppendAsync(tenant, parsed.Series, ct);
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

    /// <summary>
    /// remote_write 2.0: the written-counts headers on every answer (zero when nothing was stored). Float samples are
    /// stored atomically; native histograms are not stored, which is reported as a 400 after the floats are written
    /// (a partial write, as the 2.0 specification asks), so the sender knows and does not retry.
    /// </summary>
    private static async Task<IResult> StoreV2(AuspexRuntime rt, Auspex.Core.Series.TenantId tenant, RemoteWriteV2Result decoded, HttpContext ctx, CancellationToken ct)
    {
        void Written(long samples)
        {
            ctx.Response.Headers[RemoteWriteProtocol.SamplesWrittenHeader] = samples.ToString(System.Globalization.CultureInfo.InvariantCulture);
            ctx.Response.Headers[RemoteWriteProtocol.HistogramsWrittenHeader] = "0";
            ctx.Response.Headers[RemoteWriteProtocol.ExemplarsWrittenHeader] = "0";
        }
        Written(0);
        if (!decoded.Parsed.IsSuccess)
        {
            return Results.Text(decoded.Parsed.ErrorMessage + "\n", statusCode: 400);
        }
        var r = await rt.Ingest.AppendAsync(tenant, decoded.Parsed.Series, ct);
        if (r.Overloaded)
        {
            ctx.Response.Headers.RetryAfter = "1";
            return Results.Text("overloaded: retry later\n", statusCode: 429);
        }
        if (!r.Ok)
        {
            return Results.Text(string.Join("\n", r.Errors) + "\n", statusCode: 400);
        }
        // Stale markers are applied (staleness is the absence of samples in the store), so they count as written.
        Written(r.Accepted + r.DroppedStale);
        if (decoded.HistogramSamples > 0)
        {
            return Results.Text(System.FormattableString.Invariant(
                $"{r.Accepted} float samples written; {decoded.HistogramSamples} native histogram samples were not: Auspex stores float samples only (send classic histograms)\n"), statusCode: 400);
        }
        return Results.NoContent();
    }

    private static IResult InfluxError(int status, string code, string message) =>
        Results.Json(new { code, message }, statusCode: status);

    /// <summary>
    /// remote_write 1.0 series keys by their protobuf label bytes, shared by every request and tenant (a key depends
    /// only on those bytes; it enters after passing the decoder's default limits, which every request uses).
    /// </summary>
    private static readonly SeriesKeyCache RemoteWriteKeys = new();

    /// <summary>
    /// Reads the body into a pooled buffer (return it with <see cref="ReturnPooled"/>); null when over Kestrel's body
    /// size limit. Avoids growing a MemoryStream and copying the body out of it on every remote_write request.
    /// </summary>
    private static async Task<(byte[]? Buffer, int Length)> ReadPooledBodyAsync(HttpContext ctx, CancellationToken ct)
    {
        var expected = ctx.Request.ContentLength is { } cl and > 0 and < 64 << 20 ? (int)cl : 0;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(expected + 1, 4096));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var n = await ctx.Request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (n == 0)
                {
                    return (buffer, length);
                }
                length += n;
            }
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == 413)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            return (null, 0);
        }
        catch
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static void ReturnPooled(ref byte[]? buffer)
    {
        if (buffer is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
        }
    }

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
