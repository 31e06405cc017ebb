using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using Auspex.Core.Series;
using Auspex.Ingestion.Exposition;
using Auspex.Ingestion.RemoteWrite;

namespace Auspex.Ingestion.Scrape;

/// <summary>The outcome of one scrape.</summary>
/// <param name="Target">What was scraped.</param>
/// <param name="At">When the scrape started: the timestamp of samples without their own, and of <c>up</c>.</param>
/// <param name="Up">True when the target answered 2xx with a body that parsed.</param>
/// <param name="Duration">How long the scrape took.</param>
/// <param name="SampleCount">Samples scraped (before the synthetic <c>up</c> and <c>scrape_*</c> series).</param>
/// <param name="Error">Why the scrape failed (or why handing its batch over failed); null when it did not.</param>
/// <param name="Series">The batch handed to the sink: the scraped series with target labels, plus <c>up</c>,
/// <c>scrape_duration_seconds</c> and <c>scrape_samples_scraped</c>.</param>
public sealed record ScrapeReport(
    ScrapeTarget Target, DateTimeOffset At, bool Up, TimeSpan Duration, int SampleCount, string? Error, IReadOnlyList<SeriesData> Series);

/// <summary>
/// Scrapes Prometheus text and OpenMetrics endpoints: one loop per target, at <see cref="ScrapeOptions.Interval"/>
/// (each target at a fixed offset inside the interval, so targets spread out), each scrape bounded by
/// <see cref="ScrapeOptions.Timeout"/>. Targets come from static configs and file_sd files re-read when they change.
/// Every scrape's batch, successful or not, goes to the sink: a failed scrape still records <c>up 0</c> and its
/// duration. All time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class Scraper
{
    private readonly ScrapeOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly Func<IReadOnlyList<SeriesData>, CancellationToken, Task> _sink;
    private readonly ConcurrentDictionary<ScrapeTarget, ScrapeReport> _lastReports = new();
    private readonly ConcurrentDictionary<ScrapeTarget, TargetCache> _caches = new();
    private readonly ConcurrentDictionary<ScrapeTarget, HashSet<SeriesKey>> _previous = new();
    private readonly Dictionary<string, (string Content, IReadOnlyList<TargetGroup> Groups)> _fileCache = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<ScrapeTarget> _targets = [];
    private volatile IReadOnlyList<string> _discoveryErrors = [];

    /// <summary>Creates a scraper; <paramref name="sink"/> receives each scrape's batch (the lead hooks storage here).</summary>
    public Scraper(ScrapeOptions options, HttpClient http, TimeProvider time, Func<IReadOnlyList<SeriesData>, CancellationToken, Task> sink)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(sink);
        options.Validate();
        _options = options;
        _http = http;
        _time = time;
        _sink = sink;
    }

    /// <summary>A one-line description of the job for start-up logs.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"scrape job {_options.JobName}: {_options.StaticConfigs.Sum(g => g.Targets.Count)} static targets, {_options.FileSdFiles.Count} file_sd files, every {_options.Interval.TotalSeconds:0.###}s (timeout {_options.Timeout.TotalSeconds:0.###}s)");

    /// <summary>The targets currently scraped.</summary>
    public IReadOnlyList<ScrapeTarget> Targets => _targets;

    /// <summary>Errors of the last discovery pass (unreadable or invalid file_sd files; their previous targets are kept).</summary>
    public IReadOnlyList<string> DiscoveryErrors => _discoveryErrors;

    /// <summary>The latest report per target.</summary>
    public IReadOnlyDictionary<ScrapeTarget, ScrapeReport> LastReports => _lastReports;

    /// <summary>Runs discovery and the scrape loops until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var loops = new Dictionary<ScrapeTarget, (CancellationTokenSource Cts, Task Task)>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var targets = Discover();
                foreach (var gone in loops.Keys.Where(t => !targets.Contains(t)).ToList())
                {
                    await loops[gone].Cts.CancelAsync().ConfigureAwait(false);
                    await Quietly(loops[gone].Task).ConfigureAwait(false);
                    loops[gone].Cts.Dispose();
                    loops.Remove(gone);
                    _lastReports.TryRemove(gone, out _);
                    _caches.TryRemove(gone, out _);
                    await MarkGoneAsync(gone, cancellationToken).ConfigureAwait(false);
                }
                foreach (var added in targets.Where(t => !loops.ContainsKey(t)))
                {
                    var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    loops[added] = (cts, TargetLoopAsync(added, cts.Token));
                }
                var wait = _options.FileSdFiles.Count == 0 ? Timeout.InfiniteTimeSpan : _options.FileSdRefreshInterval;
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var (cts, task) in loops.Values)
            {
                await cts.CancelAsync().ConfigureAwait(false);
                await Quietly(task).ConfigureAwait(false);
                cts.Dispose();
            }
        }
    }

    /// <summary>Resolves static and file_sd targets now (also done by <see cref="RunAsync"/> every refresh interval).</summary>
    public IReadOnlyList<ScrapeTarget> Discover()
    {
        var groups = new List<TargetGroup>(_options.StaticConfigs);
        var errors = new List<string>();
        foreach (var path in ExpandFileSd(_options.FileSdFiles))
        {
            string content;
            try
            {
                content = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add($"{path}: {e.Message}");
                if (_fileCache.TryGetValue(path, out var kept))
                {
                    groups.AddRange(kept.Groups);
                }
                continue;
            }
            if (!_fileCache.TryGetValue(path, out var cached) || cached.Content != content)
            {
                var parsed = FileSdParser.Parse(content, FileSdParser.IsYaml(path), path);
                if (parsed.IsSuccess)
                {
                    cached = (content, parsed.Groups);
                    _fileCache[path] = cached;
                }
                else
                {
                    errors.Add(parsed.Error!);
                }
            }
            if (_fileCache.TryGetValue(path, out cached))
            {
                groups.AddRange(cached.Groups);
            }
        }
        _discoveryErrors = errors;
        var targets = ResolveTargets(_options, groups);
        _targets = targets;
        return targets;
    }

    /// <summary>
    /// The file_sd files to read: a path whose file name holds <c>*</c> or <c>?</c> (as in Prometheus' <c>files</c>) is
    /// expanded to the matching files of its folder, in name order; other paths are kept as they are.
    /// </summary>
    internal static IEnumerable<string> ExpandFileSd(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            var name = Path.GetFileName(path);
            if (name.AsSpan().IndexOfAny('*', '?') < 0)
            {
                yield return path;
                continue;
            }
            var dir = Path.GetDirectoryName(path) ?? ".";
            if (!Directory.Exists(dir))
            {
                continue;
            }
            foreach (var f in Directory.EnumerateFiles(dir, name).Order(StringComparer.Ordinal))
            {
                yield return f;
            }
        }
    }

    /// <summary>Turns target groups into targets: URL from scheme, address and path; labels <c>job</c>, <c>instance</c>, then the group's.</summary>
    public static IReadOnlyList<ScrapeTarget> ResolveTargets(ScrapeOptions options, IEnumerable<TargetGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(groups);
        var result = new List<ScrapeTarget>();
        var seen = new HashSet<ScrapeTarget>();
        foreach (var group in groups)
        {
            var scheme = group.Labels["__scheme__"] ?? options.Scheme;
            var path = group.Labels["__metrics_path__"] ?? options.MetricsPath;
            foreach (var address in group.Targets)
            {
                var pairs = new Dictionary<string, string>(StringComparer.Ordinal) { ["job"] = options.JobName, ["instance"] = address };
                foreach (var (name, value) in group.Labels)
                {
                    if (!name.StartsWith("__", StringComparison.Ordinal))
                    {
                        pairs[name] = value;
                    }
                }
                var target = new ScrapeTarget(new Uri($"{scheme}://{address}{path}"), Labels.From(pairs));
                if (seen.Add(target))
                {
                    result.Add(target);
                }
            }
        }
        return result;
    }

    /// <summary>Scrapes <paramref name="target"/> once without handing the batch to the sink; samples are stamped now.</summary>
    public Task<ScrapeReport> ScrapeOnceAsync(ScrapeTarget target, CancellationToken cancellationToken) =>
        ScrapeOnceAsync(target, _time.GetUtcNow(), cancellationToken);

    /// <summary>
    /// Scrapes <paramref name="target"/> once; samples without their own timestamp, <c>up</c> and the scrape's own series
    /// are stamped <paramref name="at"/> (the loop passes the scheduled time, as Prometheus does, so points of one
    /// target are exactly one interval apart whatever the delay in starting each scrape).
    /// </summary>
    public async Task<ScrapeReport> ScrapeOnceAsync(ScrapeTarget target, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var started = _time.GetTimestamp();
        string? error = null;
        ParseResult? parsed = null;
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, target.Url);
            request.Headers.TryAddWithoutValidation("Accept", ExpositionContentType.Accept);
            request.Headers.TryAddWithoutValidation("User-Agent", "Auspex-Scraper/1.0");
            request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
            request.Headers.TryAddWithoutValidation("X-Prometheus-Scrape-Timeout-Seconds",
                _options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture));
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                error = string.Create(CultureInfo.InvariantCulture, $"the target answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            else
            {
                var body = await ReadLimitedAsync(response.Content, _options.MaxBodyBytes, linked.Token).ConfigureAwait(false);
                if (body is null)
                {
                    error = string.Create(CultureInfo.InvariantCulture, $"the response body is larger than {_options.MaxBodyBytes} bytes");
                }
                else
                {
                    var format = ExpositionContentType.FromContentType(response.Content.Headers.ContentType?.ToString());
                    var cache = _caches.AddOrUpdate(target, _ => new TargetCache(format), (_, c) => c.Format == format ? c : new TargetCache(format));
                    parsed = ExpositionParser.Parse(body, format, at, _options.Exposition, cache.Keys);
                    if (!parsed.IsSuccess)
                    {
                        error = $"the {format} exposition is invalid: {parsed.ErrorMessage}";
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"the scrape timed out after {_options.Timeout.TotalSeconds} s");
        }
        catch (HttpRequestException e)
        {
            error = e.Message;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            error = $"the response body could not be read: {e.Message}";
        }
        var duration = _time.GetElapsedTime(started);
        var up = error is null;
        var series = new List<SeriesData>();
        if (up)
        {
            var merged = _caches.TryGetValue(target, out var c) ? c.Merged : new ConcurrentDictionary<SeriesKey, SeriesKey>();
            if (merged.Count > TargetCache.MaxMerged)
            {
                merged.Clear();
            }
            foreach (var s in parsed!.Series)
            {
                var key = merged.GetOrAdd(s.Key, k => new SeriesKey(k.Metric, MergeLabels(k.Labels, target.Labels, _options.HonorLabels)));
                series.Add(new SeriesData(key, s.Samples));
            }
        }
        if (_options.StaleMarkers)
        {
            var current = series.Select(s => s.Key).ToHashSet();
            if (_previous.TryGetValue(target, out var before))
            {
                series.AddRange(before.Where(k => !current.Contains(k)).Select(k => new SeriesData(k, [new Sample(at, StaleMarker.Value)])));
            }
            _previous[target] = current;
        }
        var samples = up ? parsed!.SampleCount : 0;
        series.Add(Synthetic("up", target, at, up ? 1 : 0));
        series.Add(Synthetic("scrape_duration_seconds", target, at, duration.TotalSeconds));
        series.Add(Synthetic("scrape_samples_scraped", target, at, samples));
        return new ScrapeReport(target, at, up, duration, samples, error, series);
    }

    /// <summary>Writes staleness markers for every series of a target that is no longer discovered.</summary>
    private async Task MarkGoneAsync(ScrapeTarget target, CancellationToken cancellationToken)
    {
        if (!_options.StaleMarkers || !_previous.TryRemove(target, out var before))
        {
            return;
        }
        var at = _time.GetUtcNow();
        var markers = before
            .Concat(new[] { "up", "scrape_duration_seconds", "scrape_samples_scraped" }.Select(m => new SeriesKey(m, target.Labels)))
            .Select(k => new SeriesData(k, [new Sample(at, StaleMarker.Value)]))
            .ToList();
        try
        {
            await _sink(markers, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The target is gone; there is no report left to carry the error.
        }
    }

    /// <summary>Target labels win; a clashing scraped label is kept as <c>exported_NAME</c> unless labels are honoured.</summary>
    internal static Labels MergeLabels(Labels scraped, Labels target, bool honorLabels)
    {
        if (scraped.Count == 0)
        {
            return target;
        }
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in target)
        {
            pairs[name] = value;
        }
        foreach (var (name, value) in scraped)
        {
            if (!pairs.ContainsKey(name) || (honorLabels && target[name] is not null))
            {
                pairs[name] = value;
                continue;
            }
            var exported = "exported_" + name;
            while (pairs.ContainsKey(exported) || scraped[exported] is not null)
            {
                exported = "exported_" + exported;
            }
            pairs[exported] = value;
        }
        return Labels.From(pairs);
    }

    private async Task TargetLoopAsync(ScrapeTarget target, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Offset(target, _options.Interval), _time, cancellationToken).ConfigureAwait(false);
            var scheduled = _time.GetUtcNow();
            while (!cancellationToken.IsCancellationRequested)
            {
                var report = await ScrapeOnceAsync(target, scheduled, cancellationToken).ConfigureAwait(false);
                try
                {
                    await _sink(report.Series, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    report = report with { Error = $"{report.Error}{(report.Error is null ? "" : "; ")}the sink failed: {e.Message}" };
                }
                _lastReports[target] = report;
                // A fixed schedule (no drift from late wake-ups); a scrape that overran skips the ticks it missed.
                var now = _time.GetUtcNow();
                scheduled += _options.Interval;
                if (scheduled < now)
                {
                    scheduled += _options.Interval * Math.Ceiling((now - scheduled) / _options.Interval);
                }
                var wait = scheduled - now;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A fixed offset inside the interval, from a hash of the target, so targets do not all scrape at once.</summary>
    internal static TimeSpan Offset(ScrapeTarget target, TimeSpan interval)
    {
        var hash = 14695981039346656037UL; // FNV-1a: stable across processes, unlike string.GetHashCode
        foreach (var c in target.Url + target.Labels.ToString())
        {
            hash = unchecked((hash ^ c) * 1099511628211UL);
        }
        return TimeSpan.FromTicks((long)(hash % (ulong)interval.Ticks));
    }

    /// <summary>Per target: parsed keys by exposition text, and scraped keys with target labels merged in.</summary>
    private sealed class TargetCache(ExpositionFormat format)
    {
        public const int MaxMerged = 1_000_000;

        public ExpositionFormat Format { get; } = format;

        public SeriesKeyCache Keys { get; } = new();

        public ConcurrentDictionary<SeriesKey, SeriesKey> Merged { get; } = new();
    }

    private static SeriesData Synthetic(string metric, ScrapeTarget target, DateTimeOffset at, double value) =>
        new(new SeriesKey(metric, target.Labels), [new Sample(at, value)]);

    /// <summary>Reads the body (gunzipped when the target compressed it); null when it exceeds <paramref name="maxBytes"/>.</summary>
    private static async Task<byte[]?> ReadLimitedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        var gzip = content.Headers.ContentEncoding.Any(e => e.Equals("gzip", StringComparison.OrdinalIgnoreCase));
        if (!gzip && content.Headers.ContentLength > maxBytes)
        {
            return null;
        }
        var raw = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var stream = gzip ? new GZipStream(raw, CompressionMode.Decompress) : raw;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
