using System.Globalization;
using System.Net;

namespace Auspex.Ingestion.PrometheusApi;

/// <summary>The last answer of a retried request.</summary>
/// <param name="Status">The HTTP status, or null when no answer came (network error, timeout).</param>
/// <param name="Body">The response body (empty without an answer).</param>
/// <param name="Attempts">How many attempts were made.</param>
/// <param name="TransportError">Why no answer came; null when one did.</param>
internal sealed record SendOutcome(HttpStatusCode? Status, string Body, int Attempts, string? TransportError)
{
    public bool IsSuccess => Status is { } s && (int)s is >= 200 and < 300;

    public string Describe() => TransportError ??
        string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)Status!.Value} {Status}: {Clip(Body)}");

    private static string Clip(string s) => s.Length <= 500 ? s.Trim() : string.Concat(s.AsSpan(0, 497), "...");
}

/// <summary>
/// Sends a request with retries and exponential backoff (initial, doubled, capped) on network errors, timeouts, 5xx
/// and 429 (honouring Retry-After up to the cap); any other 4xx is final. Delays use the injected clock.
/// </summary>
internal sealed class RetryingSender(HttpClient http, TimeProvider time, int maxRetries, TimeSpan initialBackoff, TimeSpan maxBackoff, TimeSpan attemptTimeout)
{
    public async Task<SendOutcome> SendAsync(Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken)
    {
        SendOutcome last = new(null, "", 0, "no attempt was made");
        for (var attempt = 0; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            using (var timeout = new CancellationTokenSource(attemptTimeout, time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    using var request = createRequest();
                    using var response = await http.SendAsync(request, linked.Token).ConfigureAwait(false);
                    var body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
                    last = new SendOutcome(response.StatusCode, body, attempt + 1, null);
                    var code = (int)response.StatusCode;
                    if (code < 400 || (code < 500 && code != 429))
                    {
                        return last;
                    }
                    retryAfter = RetryAfter(response);
                }
                catch (HttpRequestException e)
                {
                    last = new SendOutcome(null, "", attempt + 1, e.Message);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    last = new SendOutcome(null, "", attempt + 1, string.Create(CultureInfo.InvariantCulture,
                        $"the request timed out after {attemptTimeout.TotalSeconds} s"));
                }
            }
            if (attempt >= maxRetries)
            {
                return last;
            }
            await Task.Delay(Backoff(attempt, retryAfter), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>initial × 2^attempt, at least Retry-After, at most the cap.</summary>
    internal TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var exponential = initialBackoff * Math.Pow(2, Math.Min(attempt, 30));
        var delay = retryAfter is { } ra && ra > exponential ? ra : exponential;
        return delay > maxBackoff ? maxBackoff : delay;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}
