using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Auspex.Orchestration.Plans;

namespace Auspex.Orchestration.Execution;

/// <summary>
/// The signed-webhook executor: every step is POSTed as JSON to each configured receiver, signed the way Stripe signs
/// its webhooks — header <c>X-Auspex-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, t + "." + body)&gt;</c>
/// — with an <c>Idempotency-Key</c> header that stays the same across the retries of one delivery so receivers can
/// deduplicate. 5xx, 408, 429, connection failures and timeouts are retried with exponential backoff and jitter; other
/// 4xx answers are not. Any 2xx is success; a receiver may answer <c>{"status": "alreadyInState"}</c> and may return
/// <c>{"undo": step}</c> (the step that restores what it found) so plans it ran can be rolled back. The secret is never
/// logged or put in a result.
/// </summary>
public sealed class WebhookExecutor : IExecutor, IDisposable
{
    private readonly WebhookExecutorOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsClient;
    private readonly TimeProvider _time;
    private readonly Random _jitter;
    private readonly Lock _jitterGate = new();

    /// <summary>Creates the executor; throws <see cref="ArgumentException"/> listing invalid options (never the secret).</summary>
    /// <param name="options">Receivers, secret, retry policy.</param>
    /// <param name="time">Clock of the signature timestamps and the backoff delays.</param>
    /// <param name="http">Client to send with, or null for the executor's own.</param>
    /// <param name="jitterSeed">Seed of the backoff jitter, or null for a random one.</param>
    public WebhookExecutor(WebhookExecutorOptions options, TimeProvider time, HttpClient? http = null, int? jitterSeed = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid webhook executor options: " + string.Join("; ", errors), nameof(options));
        }
        _options = options;
        _time = time;
        _ownsClient = http is null;
        _http = http ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        _jitter = new Random(jitterSeed ?? RandomNumberGenerator.GetInt32(int.MaxValue));
    }

    /// <inheritdoc />
    public string Name => "webhook";

    /// <summary>The signature header value for <paramref name="body"/> at <paramref name="unixSeconds"/> with <paramref name="secret"/>: <c>t=…,v1=…</c>.</summary>
    public static string Sign(string secret, long unixSeconds, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(body);
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + body));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>
    /// Verifies a signature header as a receiver does: the HMAC matches (compared in constant time) and the timestamp is
    /// within <paramref name="tolerance"/> of <paramref name="now"/> (replay protection).
    /// </summary>
    public static bool Verify(string secret, string header, string body, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (string.IsNullOrEmpty(header) || body is null)
        {
            return false;
        }
        long? t = null;
        var candidates = new List<string>();
        foreach (var part in header.Split(','))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2)
            {
                continue;
            }
            if (kv[0].Trim() == "t" && long.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ts))
            {
                t = ts;
            }
            else if (kv[0].Trim() == "v1")
            {
                candidates.Add(kv[1].Trim());
            }
        }
        if (t is not { } time || Math.Abs(now.ToUnixTimeSeconds() - time) > tolerance.TotalSeconds)
        {
            return false;
        }
        var expected = Encoding.ASCII.GetBytes(Sign(secret, time, body).Split("v1=")[1]);
        return candidates.Any(c => CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(c)));
    }

    /// <summary>The JSON body sent for a step.</summary>
    public static string Body(ExecutionStep step, bool dryRun, string idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(step);
        var o = new JsonObject
        {
            ["id"] = idempotencyKey,
            ["dryRun"] = dryRun,
            ["target"] = step.Target,
            ["description"] = step.Describe(),
            ["step"] = JsonSerializer.SerializeToNode(step, PlanJson.Options),
        };
        return o.ToJsonString();
    }

    /// <inheritdoc />
    public async Task<StepResult> ExecuteAsync(ExecutionStep step, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(step);
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var body = Body(step, dryRun, key);
        var details = new List<string>();
        ExecutionStep? undo = null;
        var already = true;
        foreach (var url in _options.Urls)
        {
            var r = await DeliverAsync(url, body, key, cancellationToken).ConfigureAwait(false);
            if (r.Error is { } e)
            {
                return new StepResult(StepStatus.Failed, $"{step.Describe()}: {url} {e}");
            }
            details.Add($"{url} {r.Summary}");
            undo ??= r.Undo;
            already &= r.AlreadyInState;
        }
        if (already)
        {
            return new StepResult(StepStatus.AlreadyInState, $"{step.Target}: already in state ({step.Describe()}; {string.Join("; ", details)})");
        }
        var what = (dryRun ? "would " : "") + step.Describe() + " (idempotency key " + key + "): " + string.Join("; ", details);
        return new StepResult(dryRun ? StepStatus.DryRun : StepStatus.Applied, what, undo);
    }

    private sealed record Delivery(string? Error, string Summary, bool AlreadyInState, ExecutionStep? Undo);

    private async Task<Delivery> DeliverAsync(Uri url, string body, string key, CancellationToken ct)
    {
        string last = "";
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            bool retryable;
            using (var request = new HttpRequestMessage(HttpMethod.Post, url))
            using (var timeout = new CancellationTokenSource(_options.Timeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token))
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                request.Headers.TryAddWithoutValidation(_options.SignatureHeader, Sign(_options.Secret, _time.GetUtcNow().ToUnixTimeSeconds(), body));
                request.Headers.TryAddWithoutValidation(_options.IdempotencyHeader, key);
                request.Headers.UserAgent.ParseAdd("auspex-webhook/1");
                try
                {
                    using var response = await _http.SendAsync(request, linked.Token).ConfigureAwait(false);
                    var text = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
                    var code = (int)response.StatusCode;
                    if (response.IsSuccessStatusCode)
                    {
                        return Read(code, text, attempt);
                    }
                    last = $"answered {code.ToString(CultureInfo.InvariantCulture)} {response.ReasonPhrase}{Snippet(text)}";
                    retryable = code >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
                    retryAfter = response.Headers.RetryAfter?.Delta;
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    last = $"did not answer within {_options.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s";
                    retryable = true;
                }
                catch (HttpRequestException e)
                {
                    last = "could not be reached: " + e.Message;
                    retryable = true;
                }
            }
            if (!retryable)
            {
                return new Delivery($"{last} (not retried: a 4xx answer means the request itself is refused)", "", false, null);
            }
            if (attempt >= _options.MaxAttempts)
            {
                return new Delivery($"{last} (gave up after {attempt.ToString(CultureInfo.InvariantCulture)} attempts)", "", false, null);
            }
            await Task.Delay(Backoff(attempt, retryAfter), _time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Exponential backoff with equal jitter: half the doubled delay fixed, half random; a Retry-After is honoured up to the cap.</summary>
    internal TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var cap = _options.MaxBackoff.Ticks;
        var exp = Math.Min(cap, _options.InitialBackoff.Ticks * Math.Pow(2, Math.Min(attempt - 1, 30)));
        double r;
        lock (_jitterGate)
        {
            r = _jitter.NextDouble();
        }
        var delay = (long)(exp / 2 + r * exp / 2);
        if (retryAfter is { } ra)
        {
            delay = Math.Max(delay, Math.Min(cap, ra.Ticks));
        }
        return TimeSpan.FromTicks(delay);
    }

    private static Delivery Read(int code, string text, int attempt)
    {
        var summary = $"accepted ({code.ToString(CultureInfo.InvariantCulture)}{(attempt > 1 ? $", attempt {attempt.ToString(CultureInfo.InvariantCulture)}" : "")})";
        var already = false;
        ExecutionStep? undo = null;
        if (text.TrimStart().StartsWith('{'))
        {
            try
            {
                var o = JsonNode.Parse(text)?.AsObject();
                already = o?["status"]?.GetValue<string>() == "alreadyInState";
                if (o?["undo"] is JsonObject u)
                {
                    undo = u.Deserialize<ExecutionStep>(PlanJson.Options);
                }
                if (o?["detail"]?.GetValue<string>() is { Length: > 0 } d)
                {
                    summary += ": " + (d.Length > 200 ? d[..200] : d);
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
            {
                summary += " (its answer was not the optional {status, detail, undo} JSON; ignored)";
            }
        }
        return new Delivery(null, summary, already, undo);
    }

    private static string Snippet(string text)
    {
        var t = text.Trim().ReplaceLineEndings(" ");
        return t.Length == 0 ? "" : ": " + (t.Length > 200 ? t[..200] + "…" : t);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsClient)
        {
            _http.Dispose();
        }
    }
}
