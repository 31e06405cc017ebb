using System.Globalization;
using System.Text;
using System.Text.Json;
using Auspex.Core.Series;
using Auspex.Engine;
using Auspex.Engine.Services;
using Auspex.Server.Auth;
using Auspex.Storage.PromQl;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;

namespace Auspex.Server.Endpoints;

/// <summary>
/// A Prometheus-compatible read API under <c>/prometheus</c> (as Grafana Mimir mounts it), so Grafana can use
/// <c>http://auspex:5080/prometheus</c> as a Prometheus data source: series, labels, label values, query and query_range
/// over the PromQL subset of <see cref="PromQlParser"/>, in Prometheus' JSON format. GET and form-encoded POST are
/// the same. The tenant comes from <c>X-Scope-OrgID</c> or the API key (<see cref="TenantHeader"/>).
/// </summary>
internal static class PrometheusApiEndpoints
{
    public const string Prefix = "/prometheus/api/v1";

    private static readonly string[] GetPost = [HttpMethods.Get, HttpMethods.Post];

    public static IEndpointRouteBuilder MapPrometheusApiEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup(Prefix).WithTags("Prometheus API");
        g.MapMethods("/query_range", GetPost, QueryRange).WithName("PromQueryRange")
            .WithSummary("Prometheus query_range: query, start, end, step (unix seconds or RFC 3339; step in seconds or 30s/5m/1h). Result: matrix.");
        g.MapMethods("/query", GetPost, Query).WithName("PromQuery")
            .WithSummary("Prometheus instant query: query, time (default now). Result: vector, scalar or matrix.");
        g.MapMethods("/series", GetPost, Series).WithName("PromSeries")
            .WithSummary("Prometheus series: the label sets of series matching any match[] selector.");
        g.MapMethods("/labels", GetPost, LabelNames).WithName("PromLabels")
            .WithSummary("Prometheus label names, optionally of series matching match[].");
        g.MapGet("/label/{name}/values", LabelValues).WithName("PromLabelValues")
            .WithSummary("Prometheus label values of one label, optionally of series matching match[].");
        g.MapGet("/metadata", () => Text(200, "{\"status\":\"success\",\"data\":{}}")).WithName("PromMetadata")
            .WithSummary("Prometheus metric metadata: Auspex keeps none, so always empty.");
        g.MapGet("/status/buildinfo", () => Text(200,
                "{\"status\":\"success\",\"data\":{\"version\":\"2.42.0\",\"revision\":\"auspex\",\"branch\":\"auspex\",\"buildUser\":\"auspex\",\"buildDate\":\"\",\"goVersion\":\"none (Auspex on .NET)\"}}"))
            .WithName("PromBuildInfo").WithSummary("What Grafana probes: Auspex answers as the Prometheus 2.42 API it implements a subset of.");
        return app;
    }

    private sealed record Call(TenantId Tenant, Func<string, string?> One, Func<string, StringValues> All);

    /// <summary>The caller's tenant and the request's parameters (form body first, then the query string), or the error answer.</summary>
    private static async Task<(Call? Call, IResult? Error)> Begin(HttpContext ctx, AuspexRuntime rt, AuthOptions auth, CancellationToken ct)
    {
        var tenant = TenantHeader.ForRead(ctx, auth, rt.Loop.Tenant, out var denied);
        if (tenant is null)
        {
            var (status, message) = denied!.Value;
            return (null, Error(status, status switch { 401 => "unauthorized", 403 => "forbidden", _ => PromQlException.BadData }, message));
        }
        IFormCollection? form = null;
        if (HttpMethods.IsPost(ctx.Request.Method))
        {
            if (!ctx.Request.HasFormContentType)
            {
                return (null, Error(400, PromQlException.BadData,
                    $"a POST must be application/x-www-form-urlencoded (got '{ctx.Request.ContentType}')"));
            }
            try
            {
                form = await ctx.Request.ReadFormAsync(ct);
            }
            catch (InvalidDataException e)
            {
                return (null, Error(400, PromQlException.BadData, "the form body could not be read: " + e.Message));
            }
        }
        StringValues All(string name)
        {
            var q = ctx.Request.Query[name];
            return form is not null && form.TryGetValue(name, out var f) ? StringValues.Concat(f, q) : q;
        }
        string? One(string name) => All(name) is { Count: > 0 } v ? v[0] : null;
        return (new Call(tenant.Value, One, All), null);
    }

    /// <summary>The tenant's raw series plus the loop's scores and forecasts as series (kinds from the served topology).</summary>
    private static PromSeriesSource Source(AuspexRuntime rt, TenantId tenant) =>
        new(rt.Store, tenant, tenant == rt.Loop.Tenant ? id => rt.Topology.Current.Find(id)?.KindName : null);

    private static PromQlEngine Engine(AuspexRuntime rt, ServerOptions opts, TenantId tenant) =>
        new(Source(rt, tenant), new PromQlOptions { MaxSeries = opts.MaxSeriesPerQuery, MaxSamples = opts.MaxPointsPerQuery });

    private static async Task<IResult> QueryRange(HttpContext ctx, AuspexRuntime rt, AuthOptions auth, ServerOptions opts, CancellationToken ct)
    {
        var (call, error) = await Begin(ctx, rt, auth, ct);
        if (call is null)
        {
            return error!;
        }
        if (!Time(call, "start", null, out var start, out error) || !Time(call, "end", null, out var end, out error))
        {
            return error!;
        }
        var stepText = call.One("step");
        if (!PromDuration.TryParseParameter(stepText, out var step))
        {
            return Error(400, PromQlException.BadData, $"invalid parameter \"step\": cannot parse \"{stepText}\" to a valid duration");
        }
        if (end < start)
        {
            return Error(400, PromQlException.BadData, "invalid parameter \"end\": end timestamp must not be before start time");
        }
        if (step <= TimeSpan.Zero)
        {
            return Error(400, PromQlException.BadData, "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer");
        }
        return await Run(() => Engine(rt, opts, call.Tenant).RangeQueryAsync(call.One("query") ?? "", start, end, step, ct));
    }

    private static async Task<IResult> Query(HttpContext ctx, AuspexRuntime rt, AuthOptions auth, ServerOptions opts, CancellationToken ct)
    {
        var (call, error) = await Begin(ctx, rt, auth, ct);
        if (call is null)
        {
            return error!;
        }
        if (!Time(call, "time", rt.Loop.Clock.GetUtcNow(), out var at, out error))
        {
            return error!;
        }
        return await Run(() => Engine(rt, opts, call.Tenant).InstantQueryAsync(call.One("query") ?? "", at, ct));
    }

    private static async Task<IResult> Run(Func<Task<PromQueryResult>> query)
    {
        try
        {
            return Text(200, Format(await query()));
        }
        catch (PromQlException e)
        {
            return Error(e.ErrorType == PromQlException.Execution ? 422 : 400, e.ErrorType, e.Message);
        }
    }

    private static async Task<IResult> Series(HttpContext ctx, AuspexRuntime rt, AuthOptions auth, ServerOptions opts, CancellationToken ct)
    {
        var (call, error) = await Begin(ctx, rt, auth, ct);
        if (call is null)
        {
            return error!;
        }
        if (call.All("match[]").Count == 0)
        {
            return Error(400, PromQlException.BadData, "no match[] parameter provided");
        }
        if (!TimeBounds(call, out error))
        {
            return error!;
        }
        var (keys, keyError) = await Keys(rt, call, required: true, ct);
        if (keys is null)
        {
            return keyError!;
        }
        if (keys.Count > opts.MaxSeriesPerQuery)
        {
            return Error(422, PromQlException.Execution, string.Create(CultureInfo.InvariantCulture,
                $"the selectors match {keys.Count} series, more than the limit of {opts.MaxSeriesPerQuery}; narrow them"));
        }
        return Text(200, Success(w =>
        {
            w.WriteStartArray();
            foreach (var k in keys)
            {
                WriteLabels(w, k.Labels.With("__name__", k.Metric));
            }
            w.WriteEndArray();
        }));
    }

    private static async Task<IResult> LabelNames(HttpContext ctx, AuspexRuntime rt, AuthOptions auth, CancellationToken ct)
    {
        var (call, error) = await Begin(ctx, rt, auth, ct);
        if (call is null)
        {
            return error!;
        }
        if (!TimeBounds(call, out error))
        {
            return error!;
        }
        var (keys, keyError) = await Keys(rt, call, required: false, ct);
        if (keys is null)
        {
            return keyError!;
        }
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var k in keys)
        {
            names.Add("__name__");
            foreach (var l in k.Labels)
            {
                names.Add(l.Key);
            }
        }
        return Text(200, Success(w => Strings(w, names)));
    }

    private static async Task<IResult> LabelValues(string name, HttpContext ctx, AuspexRuntime rt, AuthOptions auth, CancellationToken ct)
    {
        var (call, error) = await Begin(ctx, rt, auth, ct);
        if (call is null)
        {
            return error!;
        }
        if (!Labels.IsValidName(name))
        {
            return Error(400, PromQlException.BadData, $"invalid label name: \"{name}\"");
        }
        if (!TimeBounds(call, out error))
        {
            return error!;
        }
        var (keys, keyError) = await Keys(rt, call, required: false, ct);
        if (keys is null)
        {
            return keyError!;
        }
        var values = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var k in keys)
        {
            if ((name == "__name__" ? k.Metric : k.Labels[name]) is { Length: > 0 } v)
            {
                values.Add(v);
            }
        }
        return Text(200, Success(w => Strings(w, values)));
    }

    /// <summary>The keys of the tenant's series matching any match[] selector (all of them when none is given and none is required).</summary>
    private static async Task<(IReadOnlyList<SeriesKey>? Keys, IResult? Error)> Keys(AuspexRuntime rt, Call call, bool required, CancellationToken ct)
    {
        var matches = call.All("match[]");
        var source = Source(rt, call.Tenant);
        var set = new HashSet<SeriesKey>();
        if (matches.Count == 0 && !required)
        {
            set.UnionWith(await source.FindSeriesAsync([], ct));
        }
        foreach (var m in matches)
        {
            PromExpr e;
            try
            {
                e = PromQlParser.Parse(m);
            }
            catch (PromQlException ex)
            {
                return (null, Error(400, PromQlException.BadData, $"invalid parameter \"match[]\": {ex.Message}"));
            }
            if (e is not VectorSelector vs)
            {
                return (null, Error(400, PromQlException.BadData, $"invalid parameter \"match[]\": '{m}' is not a series selector (e.g. up{{job=\"node\"}})"));
            }
            set.UnionWith(await source.FindSeriesAsync(vs.Matchers, ct));
        }
        var list = set.ToList();
        list.Sort((a, b) => PromQlEngine.CompareLabels(a.Labels.With("__name__", a.Metric), b.Labels.With("__name__", b.Metric)));
        return (list, null);
    }

    /// <summary>start and end of series/labels calls are validated; the store lists series regardless of time.</summary>
    private static bool TimeBounds(Call call, out IResult? error)
    {
        error = null;
        return (call.One("start") is null || Time(call, "start", null, out _, out error))
            && (call.One("end") is null || Time(call, "end", null, out _, out error));
    }

    private static bool Time(Call call, string name, DateTimeOffset? fallback, out DateTimeOffset at, out IResult? error)
    {
        error = null;
        var text = call.One(name);
        if (string.IsNullOrEmpty(text) && fallback is { } f)
        {
            at = f;
            return true;
        }
        if (PromDuration.TryParseTime(text, out at))
        {
            return true;
        }
        error = Error(400, PromQlException.BadData, $"invalid parameter \"{name}\": cannot parse \"{text}\" to a valid timestamp");
        return false;
    }

    /// <summary>A query result in Prometheus' JSON: matrix values as [seconds, "value"] pairs.</summary>
    internal static string Format(PromQueryResult r) => Success(w =>
    {
        w.WriteStartObject();
        w.WriteString("resultType", r.ResultType);
        w.WritePropertyName("result");
        if (r.ResultType == "scalar")
        {
            Point(w, r.Scalar!.Value);
        }
        else
        {
            w.WriteStartArray();
            foreach (var s in r.Series)
            {
                w.WriteStartObject();
                w.WritePropertyName("metric");
                WriteLabels(w, s.Metric);
                if (r.ResultType == "vector")
                {
                    w.WritePropertyName("value");
                    Point(w, s.Points[0]);
                }
                else
                {
                    w.WritePropertyName("values");
                    w.WriteStartArray();
                    foreach (var p in s.Points)
                    {
                        Point(w, p);
                    }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    });

    private static void Point(Utf8JsonWriter w, PromPoint p)
    {
        w.WriteStartArray();
        w.WriteRawValue(PromFormat.Timestamp(p.TimestampMs), skipInputValidation: true);
        w.WriteStringValue(PromFormat.Value(p.Value));
        w.WriteEndArray();
    }

    private static void WriteLabels(Utf8JsonWriter w, Labels labels)
    {
        w.WriteStartObject();
        foreach (var l in labels)
        {
            w.WriteString(l.Key, l.Value);
        }
        w.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter w, IEnumerable<string> values)
    {
        w.WriteStartArray();
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }
        w.WriteEndArray();
    }

    private static string Success(Action<Utf8JsonWriter> data)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("status", "success");
            w.WritePropertyName("data");
            data(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static IResult Error(int status, string errorType, string message)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("status", "error");
            w.WriteString("errorType", errorType);
            w.WriteString("error", message);
            w.WriteEndObject();
        }
        return Text(status, Encoding.UTF8.GetString(ms.ToArray()));
    }

    private static IResult Text(int status, string json) => Results.Text(json, "application/json", Encoding.UTF8, status);
}
