namespace Auspex.Orchestration.Execution;

/// <summary>Options of the signed-webhook executor. Every default is documented; <see cref="Validate"/> checks them.</summary>
public sealed class WebhookExecutorOptions
{
    /// <summary>Receivers every step is POSTed to (http or https); all must accept it for the step to succeed. Required.</summary>
    public IReadOnlyList<Uri> Urls { get; set; } = [];

    /// <summary>
    /// The HMAC-SHA256 key (at least 16 characters). Give it through the environment or a file
    /// (<c>secret_env</c>, <c>secret_file</c>), never in the configuration; it is never logged or shown.
    /// </summary>
    public string Secret { get; set; } = "";

    /// <summary>Header carrying <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC&gt;</c>. Default <c>X-Auspex-Signature</c>.</summary>
    public string SignatureHeader { get; set; } = "X-Auspex-Signature";

    /// <summary>Header carrying the step's idempotency key (the same on every retry of one delivery). Default <c>Idempotency-Key</c>.</summary>
    public string IdempotencyHeader { get; set; } = "Idempotency-Key";

    /// <summary>Longest one attempt may take. Default 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per receiver, the first included (≥ 1). Default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Delay before the first retry; it doubles each time, with jitter (half of it random). Default 500 ms.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest delay between attempts (a receiver's Retry-After is honoured up to this). Default 30 seconds.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Returns the problems, empty when valid. Never includes the secret.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Urls is null || Urls.Count == 0)
        {
            errors.Add("webhook.urls needs at least one receiver URL");
        }
        else
        {
            foreach (var u in Urls)
            {
                if (u is null || !u.IsAbsoluteUri || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps))
                {
                    errors.Add($"webhook.urls: '{u}' is not an absolute http(s) URL");
                }
            }
        }
        if (string.IsNullOrEmpty(Secret) || Secret.Length < 16)
        {
            errors.Add("webhook secret must be at least 16 characters (set it with secret_env or secret_file)");
        }
        if (string.IsNullOrWhiteSpace(SignatureHeader) || string.IsNullOrWhiteSpace(IdempotencyHeader))
        {
            errors.Add("webhook.signature_header and webhook.idempotency_header must not be empty");
        }
        if (Timeout <= TimeSpan.Zero)
        {
            errors.Add("webhook.timeout must be > 0");
        }
        if (MaxAttempts < 1)
        {
            errors.Add("webhook.max_attempts must be ≥ 1");
        }
        if (InitialBackoff < TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            errors.Add("webhook.initial_backoff must be ≥ 0 and ≤ webhook.max_backoff");
        }
        return errors;
    }
}
