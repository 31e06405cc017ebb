using Auspex.Core.Series;
using Auspex.Engine.Demo;
using Auspex.Storage;
using Auspex.Testing;
using static Auspex.Testing.Builders;

namespace Auspex.Engine.Tests;

public sealed class TraceReplayerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AppendUpTo_WritesOnlyPassedSamples_AndWrapsShifted()
    {
        using var store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("db") });
        var step = TimeSpan.FromHours(1);
        var r = new TraceReplayer(store.Series, TenantId.Default, [Series(Cpu("h"), T0, step, 10, 11, 12)]);
        Assert.Equal(TimeSpan.FromHours(3), r.Length);
        Assert.Equal(2, await r.AppendUpToAsync(T0 + step));
        Assert.Equal(0, await r.AppendUpToAsync(T0 + step));
        // Past the end: the recording repeats three hours later.
        Assert.Equal(3, await r.AppendUpToAsync(T0 + step * 4));
        var data = await store.Series.ReadAsync(TenantId.Default, [], new TimeRange(T0, T0 + step * 10), Resolution.Raw);
        Assert.Equal([10.0, 11, 12, 10, 11], data.Single().Samples.Select(s => s.Value));
        Assert.Equal(T0 + step * 4, data.Single().Samples[^1].At);
    }

    [Fact]
    public void Create_EmptyTrace_Throws()
    {
        using var store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = _dir.File("db2") });
        Assert.Throws<ArgumentException>(() => new TraceReplayer(store.Series, TenantId.Default, [new SeriesData(Cpu("h"), [])]));
    }
}
