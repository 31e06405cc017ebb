using Auspex.Core.Series;
using Auspex.Testing;
using DuckDB.NET.Data;
using static Auspex.Testing.Builders;

namespace Auspex.Storage.Tests;

public sealed class ModelStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TenantId _a = new("tenant-a");
    private readonly TenantId _b = new("tenant-b");

    private string Path => _dir.File("db.duckdb");

    private EmbeddedStore Open() => AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = Path });

    public void Dispose() => _dir.Dispose();

    private static StoredModelSelection Sel(string series, int minutes, string model, string json = "{}") =>
        new(series, T0.AddMinutes(minutes), model, "never fitted", json);

    [Fact]
    public async Task Save_ThenLoadOnANewStoreInstance_OnTheSameFile_ReturnsTheLatestPerSeries()
    {
        using (var store = Open())
        {
            await store.Models.SaveModelSelectionsAsync(_a, [Sel("s1", 0, "snaive:24"), Sel("s2", 0, "theta:24", "{\"x\":1}")]);
            await store.Models.SaveModelSelectionsAsync(_a, [Sel("s1", 60, "ets:24:A,Ad,N")]);
            await store.Models.SaveModelSelectionsAsync(_b, [Sel("s1", 5, "naive")]);
        }
        using var again = Open();
        var a = await again.Models.LoadModelSelectionsAsync(_a);
        Assert.Equal(["s1", "s2"], a.Select(s => s.Series));
        Assert.Equal(("ets:24:A,Ad,N", T0.AddMinutes(60)), (a[0].Model, a[0].SelectedAt));
        Assert.Equal("{\"x\":1}", a[1].Json);
        Assert.Equal("never fitted", a[1].Reason);
        // Tenants never see each other's selections.
        Assert.Equal("naive", Assert.Single(await again.Models.LoadModelSelectionsAsync(_b)).Model);
    }

    [Fact]
    public async Task Save_TheSameSeriesTwiceInABatch_KeepsTheLastGiven()
    {
        using var store = Open();
        await store.Models.SaveModelSelectionsAsync(_a, [Sel("s1", 0, "first"), Sel("s1", 0, "second")]);
        Assert.Equal("second", Assert.Single(await store.Models.LoadModelSelectionsAsync(_a)).Model);
    }

    [Fact]
    public async Task Delete_RemovesOnlyTheNamedSeriesOfTheTenant()
    {
        using var store = Open();
        await store.Models.SaveModelSelectionsAsync(_a, [Sel("s1", 0, "naive"), Sel("s2", 0, "naive")]);
        await store.Models.SaveModelSelectionsAsync(_b, [Sel("s1", 0, "naive")]);
        Assert.Equal(1, await store.Models.DeleteModelSelectionsAsync(_a, ["s1", "nope"]));
        Assert.Equal(["s2"], (await store.Models.LoadModelSelectionsAsync(_a)).Select(s => s.Series));
        Assert.Single(await store.Models.LoadModelSelectionsAsync(_b));
    }

    [Fact]
    public async Task Open_AFileFromBeforeTheTable_CreatesIt()
    {
        using (var store = Open())
        {
            await store.Models.SaveModelSelectionsAsync(_a, [Sel("s1", 0, "naive")]);
        }
        using (var db = new DuckDBConnection("Data Source=" + Path))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "DROP TABLE forecast_models";
            cmd.ExecuteNonQuery();
        }
        using var again = Open();
        Assert.Empty(await again.Models.LoadModelSelectionsAsync(_a));
        await again.Models.SaveModelSelectionsAsync(_a, [Sel("s1", 0, "naive")]);
        Assert.Single(await again.Models.LoadModelSelectionsAsync(_a));
    }
}
