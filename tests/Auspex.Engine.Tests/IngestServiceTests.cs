using Auspex.Core.Series;
using Auspex.Engine.Services;
using Auspex.Storage;
using Auspex.Testing;

namespace Auspex.Engine.Tests;

public sealed class IngestServiceTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly EmbeddedStore _store;

    public IngestServiceTests() => _store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("db.duckdb") });

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    private static SeriesData Series(string name, int i, params double[] values) =>
        new(new SeriesKey(name, Labels.Of("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))), values.Select((v, k) => new Sample(T0.AddMinutes(k), v)).ToList());

    private async Task<int> Stored(string name) =>
        (await _store.Series.ReadAsync(TenantId.Default, [new LabelMatcher("__name__", LabelMatchType.Equal, name)], new TimeRange(T0, T0.AddDays(1)), Resolution.Raw)).Sum(s => s.Samples.Count);

    [Fact]
    public async Task AppendAsync_ConcurrentRequests_AllStoredEachAnsweredWithItsOwnCounts()
    {
        var ingest = new IngestService(_store);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            ingest.AppendAsync(TenantId.Default, [Series("grouped", i, 1, 2, 3, Auspex.Ingestion.StaleMarker.Value)]))));

        Assert.All(results, r => Assert.Equal((3, 1, true), (r.Accepted, r.DroppedStale, r.Ok)));
        Assert.Equal(60, await Stored("grouped"));
        Assert.Equal(60, ingest.AcceptedTotal);
        Assert.InRange(ingest.CommitsTotal, 1, 20);
    }

    [Fact]
    public async Task AppendAsync_OneRequestTooLargeForACommit_RefusedAlone_OthersStored()
    {
        using var small = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("small.duckdb"), MaxSamplesPerCommit = 5 });
        var ingest = new IngestService(small);

        var results = await Task.WhenAll(
            Task.Run(() => ingest.AppendAsync(TenantId.Default, [Series("ok", 1, 1, 2)])),
            Task.Run(() => ingest.AppendAsync(TenantId.Default, [Series("big", 2, 1, 2, 3, 4, 5, 6, 7)])),
            Task.Run(() => ingest.AppendAsync(TenantId.Default, [Series("ok", 3, 1, 2)])));

        Assert.True(results[0].Ok);
        Assert.False(results[1].Ok);
        Assert.Contains("more than the limit of 5", results[1].Errors[0], StringComparison.Ordinal);
        Assert.True(results[2].Ok);
        var stored = await small.Series.ReadAsync(TenantId.Default, [], new TimeRange(T0, T0.AddDays(1)), Resolution.Raw);
        Assert.Equal(4, stored.Sum(s => s.Samples.Count));
        Assert.DoesNotContain(stored, s => s.Key.Metric == "big");
    }

    [Fact]
    public async Task AppendAsync_OverThePendingBound_IsOverloadedAndStoresNothing()
    {
        var ingest = new IngestService(_store, maxPendingSamples: 3);

        var r = await ingest.AppendAsync(TenantId.Default, [Series("overloaded", 1, 1, 2, 3, 4)]);

        Assert.True(r.Overloaded);
        Assert.Equal(1, ingest.OverloadedTotal);
        Assert.Equal(0, await Stored("overloaded"));
        Assert.True((await ingest.AppendAsync(TenantId.Default, [Series("overloaded", 1, 1, 2)])).Ok); // the bound is released
    }
}
