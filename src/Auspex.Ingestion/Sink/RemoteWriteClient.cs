using System.Globalization;
using System.Net.Http.Headers;
using Auspex.Core.Series;
using Auspex.Ingestion.PrometheusApi;
using Auspex.Ingestion.RemoteWrite;

namespace Auspex.Ingestion.Sink;

/// <summary>What a completed <see cref="RemoteWriteClient.WriteAsync"/> did.</summary>
/// <param name="Requests">HTTP requests accepted.</param>
/// <param name="Samples">Samples sent.</param>
/// <param name="Retries">Attempts beyond the first, over all requests.</param>
public sealed record RemoteWriteSummary(int Requests, int Samples, int Retries);

/// <summary>
/// Writes series to any Prometheus remote_write 1.0 receiver (Prometheus with <c>--web.enable-remote-write-receiver</c>,
/// Mimir, Thanos receive, VictoriaMetrics, Auspex itself): protobuf, snappy block compression, the protocol headers,
/// batches of at most <see cref="RemoteWriteClientOptions.MaxSamplesPerRequest"/> samples sent in order, retries with
/// exponential backoff on 5xx, 429 and network errors, never on other 4xx.
/// </summary>
public sealed class RemoteWriteClient
{
    private readonly RemoteWriteClientOptions _options;
    private readonly RetryingSender _sender;

    /// <summary>Creates a client over <paramref name="http"/>.</summary>
    public RemoteWriteClient(HttpClient http, RemoteWriteClientOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _options = options;
        _sender = new RetryingSender(http, time, options.MaxRetries, options.InitialBackoff, options.MaxBackoff, options.AttemptTimeout);
    }

    /// <summary>Sends every sample of <paramref name="series"/>; throws <see cref="RemoteWriteException"/> when a request fails for good.</summary>
    public async Task<RemoteWriteSummary> WriteAsync(IReadOnlyList<SeriesData> series, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        var requests = 0;
        var samples = 0;
        var retries = 0;
        foreach (var batch in Batches(series, _options.MaxSamplesPerRequest))
        {
            var body = RemoteWriteEncoder.Encode(batch);
            var outcome = await _sender.SendAsync(() =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, _options.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(RemoteWriteProtocol.ContentType);
                request.Content.Headers.ContentEncoding.Add(RemoteWriteProtocol.ContentEncoding);
                request.Headers.TryAddWithoutValidation(RemoteWriteProtocol.VersionHeader, RemoteWriteProtocol.Version);
                request.Headers.TryAddWithoutValidation("User-Agent", "Auspex-RemoteWrite/1.0");
                foreach (var (name, value) in _options.Headers)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }
                return request;
            }, cancellationToken).ConfigureAwait(false);
            retries += outcome.Attempts - 1;
            if (!outcome.IsSuccess)
            {
                var refused = outcome.Status is { } s && (int)s is >= 400 and < 500 && (int)s != 429;
                var what = refused ? "refused the write" : string.Create(CultureInfo.InvariantCulture, $"failed after {outcome.Attempts} attempts");
                throw new RemoteWriteException($"remote write to {_options.Url} {what}: {outcome.Describe()}", outcome.Status, outcome.Attempts, requests);
            }
            requests++;
            samples += batch.Sum(b => b.Samples.Count);
        }
        return new RemoteWriteSummary(requests, samples, retries);
    }

    /// <summary>Splits series into batches of at most <paramref name="maxSamples"/> samples, splitting long series, keeping order.</summary>
    internal static IEnumerable<List<SeriesData>> Batches(IReadOnlyList<SeriesData> series, int maxSamples)
    {
        var batch = new List<SeriesData>();
        var count = 0;
        foreach (var s in series)
        {
            var offset = 0;
            while (offset < s.Samples.Count)
            {
                var take = Math.Min(maxSamples - count, s.Samples.Count - offset);
                var part = offset == 0 && take == s.Samples.Count ? s : new SeriesData(s.Key, s.Samples.Skip(offset).Take(take).ToArray());
                batch.Add(part);
                count += take;
                offset += take;
                if (count == maxSamples)
                {
                    yield return batch;
                    batch = [];
                    count = 0;
                }
            }
        }
        if (batch.Count > 0)
        {
            yield return batch;
        }
    }
}
