using System.Globalization;
using System.Net;
using System.Text.Json;
using Auspex.Core.Series;
using Auspex.Ingestion.Exposition;

namespace Auspex.Ingestion.PrometheusApi;

/// <summary>The answer of a (possibly chunked) <c>query_range</c>.</summary>
/// <param name="Series">Every series, samples in time order, chunks merged.</param>
/// <param name="Step">The step used.</param>
/// <param name="Requests">How many HTTP requests (chunks) it took, retries not counted.</param>
/// <param name="Warnings">Warnings Prometheus attached to any chunk.</param>
public sealed record QueryRangeResult(IReadOnlyList<SeriesData> Series, TimeSpan Step, int Requests, IReadOnlyList<string> Warnings);

/// <summary>
/// Reads history from a Prometheus-compatible HTTP API (<c>/api/v1/query_range</c>, <c>/series</c>, <c>/labels</c>,
/// <c>/label/NAME/values</c>), the way KRR reads the Prometheus a user already runs: ranges split into chunks of at
/// most 11,000 points and <see cref="PrometheusClientOptions.MaxChunkDuration"/>, the step chosen from the range
/// unless given, retries with exponential backoff on transient failures. Failures throw
/// <see cref="PrometheusApiException"/> with Prometheus' own error text.
/// </summary>
public sealed class PrometheusQueryClient
{
    private readonly PrometheusClientOptions _options;
    private readonly RetryingSender _sender;

    /// <summary>Creates a client over <paramref name="http"/> (whose own Timeout should exceed the attempt timeout).</summary>
    public PrometheusQueryClient(HttpClient http, PrometheusClientOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _options = options;
        _sender = new RetryingSender(http, time, options.MaxRetries, options.InitialBackoff, options.MaxBackoff, options.AttemptTimeout);
    }

    /// <summary>
    /// Evaluates <paramref name="query"/> at Start, Start+step, … up to but excluding <paramref name="range"/>.End.
    /// A result series without <c>__name__</c> (e.g. from <c>rate()</c>) is named <paramref name="unnamedMetric"/>.
    /// </summary>
    public async Task<QueryRangeResult> QueryRangeAsync(
        string query, TimeRange range, TimeSpan? step = null, string unnamedMetric = "query_result", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        if (!SeriesKey.IsValidMetricName(unnamedMetric))
        {
            throw new ArgumentException($"'{unnamedMetric}' is not a valid metric name.", nameof(unnamedMetric));
        }
        var chosen = step ?? QueryPlan.ChooseStep(range.Duration, _options.MinStep, _options.TargetPoints);
        if (chosen < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "The step must be at least 1 ms.");
        }
        var lastInstant = range.End > range.Start ? range.End - TimeSpan.FromMilliseconds(1) : range.Start;
        var chunks = QueryPlan.Chunks(range.Start, lastInstant, chosen, _options.MaxPointsPerRequest, _options.MaxChunkDuration);
        var merged = new Dictionary<SeriesKey, List<Sample>>();
        var order = new List<SeriesKey>();
        var warnings = new List<string>();
        foreach (var chunk in chunks)
        {
            var form = new Dictionary<string, string>
            {
                ["query"] = query,
                ["start"] = Seconds(chunk.Start),
                ["end"] = Seconds(chunk.End),
                ["step"] = chosen.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture),
            };
            using var doc = await CallAsync("query_range", form, $"query_range of '{query}' over [{chunk.Start:O}, {chunk.End:O}]", cancellationToken).ConfigureAwait(false);
            var data = doc.RootElement.GetProperty("data");
            var resultType = data.GetProperty("resultType").GetString();
            if (resultType != "matrix")
            {
                throw new PrometheusApiException($"query_range of '{query}' answered a {resultType}, not a matrix.");
            }
            CollectWarnings(doc, warnings);
            foreach (var series in data.GetProperty("result").EnumerateArray())
            {
                var key = Key(series.GetProperty("metric"), unnamedMetric);
                if (!merged.TryGetValue(key, out var samples))
                {
                    merged[key] = samples = [];
                    order.Add(key);
                }
                foreach (var point in series.GetProperty("values").EnumerateArray())
                {
                    samples.Add(Point(point));
                }
            }
        }
        var result = order.Select(k => new SeriesData(k, SeriesAccumulator.Normalise(merged[k]))).ToList();
        return new QueryRangeResult(result, chosen, chunks.Count, warnings);
    }

    /// <summary>The series matching any of <paramref name="matchers"/> (PromQL selectors such as <c>up{job="node"}</c>) in the range.</summary>
    public async Task<IReadOnlyList<SeriesKey>> SeriesAsync(IReadOnlyList<string> matchers, TimeRange range, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        if (matchers.Count == 0)
        {
            throw new ArgumentException("At least one series selector is needed.", nameof(matchers));
        }
        var form = RangeForm(range);
        using var doc = await CallAsync("series", form, $"series {string.Join(", ", matchers)}", cancellationToken, matchers).ConfigureAwait(false);
        return doc.RootElement.GetProperty("data").EnumerateArray().Select(m => Key(m, "unnamed")).ToList();
    }

    /// <summary>Label names, optionally limited to a time range.</summary>
    public async Task<IReadOnlyList<string>> LabelNamesAsync(TimeRange? range = null, CancellationToken cancellationToken = default)
    {
        using var doc = await CallAsync("labels", range is { } r ? RangeForm(r) : [], "labels", cancellationToken).ConfigureAwait(false);
        return doc.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetString() ?? "").ToList();
    }

    /// <summary>Values of label <paramref name="name"/> (<c>__name__</c> lists metric names), optionally limited to a time range.</summary>
    public async Task<IReadOnlyList<string>> LabelValuesAsync(string name, TimeRange? range = null, CancellationToken cancellationToken = default)
    {
        if (name != "__name__" && !Labels.IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid label name.", nameof(name));
        }
        var path = $"label/{Uri.EscapeDataString(name)}/values";
        var query = range is { } r ? "?" + string.Join('&', RangeForm(r).Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}")) : "";
        using var doc = await CallAsync(path + query, null, $"values of label '{name}'", cancellationToken).ConfigureAwait(false);
        return doc.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetString() ?? "").ToList();
    }

    private async Task<JsonDocument> CallAsync(
        string path, Dictionary<string, string>? form, string what, CancellationToken cancellationToken, IReadOnlyList<string>? matchers = null)
    {
        var url = new Uri(_options.BaseUrl, _options.BaseUrl.AbsolutePath.TrimEnd('/') + "/api/v1/" + path);
        var outcome = await _sender.SendAsync(() =>
        {
            var request = new HttpRequestMessage(form is null ? HttpMethod.Get : HttpMethod.Post, url);
            if (form is not null)
            {
                var fields = form.ToList();
                if (matchers is not null)
                {
                    fields.AddRange(matchers.Select(m => new KeyValuePair<string, string>("match[]", m)));
                }
                request.Content = new FormUrlEncodedContent(fields);
            }
            foreach (var (name, value) in _options.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            return request;
        }, cancellationToken).ConfigureAwait(false);

        JsonDocument? doc = null;
        string? errorType = null;
        string? error = null;
        if (outcome.Status is not null)
        {
            try
            {
                doc = JsonDocument.Parse(outcome.Body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("status", out var status) && status.GetString() == "error")
                {
                    errorType = doc.RootElement.TryGetProperty("errorType", out var t) ? t.GetString() : null;
                    error = doc.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
                }
            }
            catch (JsonException)
            {
                doc?.Dispose();
                doc = null;
            }
        }
        if (outcome.IsSuccess && doc is not null && error is null && doc.RootElement.TryGetProperty("data", out _))
        {
            return doc;
        }
        doc?.Dispose();
        var attempts = outcome.Attempts > 1 ? string.Create(CultureInfo.InvariantCulture, $" after {outcome.Attempts} attempts") : "";
        var reason = error is not null
            ? string.Create(CultureInfo.InvariantCulture, $"HTTP {(int?)outcome.Status} {errorType}: {error}")
            : outcome.IsSuccess ? "the answer is not a Prometheus API JSON response" : outcome.Describe();
        throw new PrometheusApiException($"Prometheus at {_options.BaseUrl} failed {what}{attempts}: {reason}", outcome.Status, errorType, outcome.Attempts);
    }

    private static SeriesKey Key(JsonElement metric, string unnamed)
    {
        string? name = null;
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var p in metric.EnumerateObject())
        {
            if (p.Name == "__name__")
            {
                name = p.Value.GetString();
            }
            else
            {
                pairs.Add(new(p.Name, p.Value.GetString() ?? ""));
            }
        }
        return new SeriesKey(string.IsNullOrEmpty(name) ? unnamed : name, Labels.From(pairs));
    }

    private static Sample Point(JsonElement point)
    {
        var seconds = point[0].GetDouble();
        var text = point[1].GetString() ?? "";
        if (!ExpositionParser.TryParseFloat(text, out var value))
        {
            throw new PrometheusApiException($"Prometheus answered a sample value '{text}' that is not a number.");
        }
        return new Sample(DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)), value);
    }

    private static void CollectWarnings(JsonDocument doc, List<string> warnings)
    {
        if (doc.RootElement.TryGetProperty("warnings", out var w) && w.ValueKind == JsonValueKind.Array)
        {
            warnings.AddRange(w.EnumerateArray().Select(x => x.GetString() ?? "").Where(x => x.Length > 0 && !warnings.Contains(x)));
        }
    }

    private static Dictionary<string, string> RangeForm(TimeRange range) => new()
    {
        ["start"] = Seconds(range.Start),
        ["end"] = Seconds(range.End),
    };

    private static string Seconds(DateTimeOffset at) =>
        (at.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
}
