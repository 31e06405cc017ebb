using Auspex.Core.Series;

namespace Auspex.Storage.Tests;

/// <summary>Writing test samples into a store in one committed append.</summary>
internal static class StoreWrites
{
    /// <summary>Appends <paramref name="samples"/> for tenant <paramref name="t"/> and commits, failing the test with the store's first errors.</summary>
    public static async Task CommitAsync(ISeriesStore store, TenantId t, IEnumerable<(SeriesKey Key, DateTimeOffset At, double V)> samples)
    {
        await using var app = store.BeginAppend(t);
        foreach (var (k, at, v) in samples)
        {
            app.Add(k, at, v);
        }
        var r = await app.CommitAsync();
        Assert.True(r.Ok, string.Join("; ", r.Errors.Take(3)));
    }
}
