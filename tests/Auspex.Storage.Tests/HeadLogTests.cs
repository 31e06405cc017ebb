using Auspex.Core.Series;
using Auspex.Testing;
using static Auspex.Testing.Builders;

namespace Auspex.Storage.Tests;

/// <summary>
/// The head log: acknowledged commits live in an fsynced log until a large flush moves them into DuckDB. A crash is
/// simulated by copying the data folder while the store is open and idle (what a SIGKILL at that moment leaves on
/// disk) and opening the copy; the real SIGKILL test is tests/Auspex.EndToEnd.Tests/KillDurabilityTests.cs.
/// </summary>
public sealed class HeadLogTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);
    private readonly TempDirectory _dir = new();
    private readonly TenantId _a = new("tenant-a");
    private readonly TenantId _b = new("tenant-b");

    public void Dispose() => _dir.Dispose();

    private string Db(string folder)
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, folder));
        return Path.Combine(_dir.Path, folder, "auspex.duckdb");
    }

    private static EmbeddedStore Open(string path, int headFlush = 500_000) =>
        AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = path, HeadFlushSamples = headFlush });

    /// <summary>Copies every file of the store's folder as it is now (the store stays open): the state a crash would leave.</summary>
    private string Crash(string path, string into)
    {
        var target = Db(into);
        foreach (var f in Directory.GetFiles(Path.GetDirectoryName(path)!))
        {
            File.Copy(f, Path.Combine(Path.GetDirectoryName(target)!, Path.GetFileName(f)), overwrite: true);
        }
        return target;
    }

    private static string HeadFile(string path) =>
        Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + ".head-*.log").Single();

    private static async Task Write(ISeriesStore s, TenantId t, params SeriesData[] data)
    {
        await using var app = s.BeginAppend(t);
        foreach (var d in data)
        {
            app.Add(d);
        }
        Assert.True((await app.CommitAsync()).Ok);
    }

    private static async Task<double[]> Values(ISeriesStore s, TenantId t, string host) =>
        [.. (await s.ReadAsync(t, [LabelMatcher.Eq("host", host)], new TimeRange(T0, T0 + TimeSpan.FromDays(1)), Resolution.Raw))
            .SelectMany(d => d.Samples.Select(x => x.Value))];

    [Fact]
    public async Task AcknowledgedCommits_InTheHeadOnly_SurviveACrash()
    {
        var path = Db("live");
        using var store = Open(path);
        await Write(store.Series, _a, Series(Cpu("h1"), T0, Step, 1, 2, 3));
        await Write(store.Series, _b, Series(Cpu("h1"), T0, Step, 9));
        await Write(store.Series, _a, Series(Cpu("h1"), T0 + Step, Step, 20), Series(Cpu("h2"), T0, Step, 5));
        Assert.True(new FileInfo(HeadFile(path)).Length > 0); // still in the head log, not in DuckDB
        var copy = Crash(path, "crashed");
        using var after = Open(copy);
        Assert.Null(after.Inner.HeadRecoveryNote);
        Assert.Equal(new[] { 1.0, 20, 3 }, await Values(after.Series, _a, "h1")); // last write wins across replayed commits
        Assert.Equal(new[] { 5.0 }, await Values(after.Series, _a, "h2"));
        Assert.Equal(new[] { 9.0 }, await Values(after.Series, _b, "h1")); // tenants stay apart
        Assert.Equal(2, after.Series.FindSeries(_a, []).Count);
        // Ids replayed from the log do not collide with new ones.
        await Write(after.Series, _a, Series(Cpu("h3"), T0, Step, 7));
        Assert.Equal(3, after.Series.FindSeries(_a, []).Count);
        Assert.Equal(new[] { 7.0 }, await Values(after.Series, _a, "h3"));
        Assert.Equal(new[] { 5.0 }, await Values(after.Series, _a, "h2"));
    }

    [Fact]
    public async Task TornLastRecord_IsDropped_AndEverythingBeforeItKept()
    {
        var path = Db("live");
        using var store = Open(path);
        await Write(store.Series, _a, Series(Cpu("h1"), T0, Step, 1, 2));
        await Write(store.Series, _a, Series(Cpu("h1"), T0 + Step * 2, Step, 3));
        var copy = Crash(path, "crashed");
        var log = HeadFile(copy);
        var bytes = File.ReadAllBytes(log);
        foreach (var cut in new[] { 3, 11, bytes.Length / 3 })
        {
            // A third commit whose write the crash cut short: only a prefix of its record reached the disk.
            var torn = Crash(copy, "torn" + cut);
            File.WriteAllBytes(HeadFile(torn), [.. bytes, .. bytes.AsSpan(0, cut)]);
            using var after = Open(torn);
            Assert.Contains("incomplete record", after.Inner.HeadRecoveryNote, StringComparison.Ordinal);
            Assert.Equal(new[] { 1.0, 2, 3 }, await Values(after.Series, _a, "h1"));
        }
    }

    [Fact]
    public async Task CorruptRecord_StopsTheReplay_KeepsTheFileAside_AndTheStoreOpens()
    {
        var path = Db("live");
        using var store = Open(path);
        await Write(store.Series, _a, Series(Cpu("h1"), T0, Step, 1));
        var firstLength = new FileInfo(HeadFile(path)).Length;
        await Write(store.Series, _a, Series(Cpu("h1"), T0 + Step, Step, 2));
        var copy = Crash(path, "crashed");
        var log = HeadFile(copy);
        var bytes = File.ReadAllBytes(log);
        bytes[firstLength + 12] ^= 0x5A; // inside the second record's payload
        File.WriteAllBytes(log, bytes);
        using var after = Open(copy);
        Assert.Contains("corrupt (checksum mismatch)", after.Inner.HeadRecoveryNote, StringComparison.Ordinal);
        Assert.Equal(new[] { 1.0 }, await Values(after.Series, _a, "h1"));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(copy)!, "*.corrupt"));
    }

    [Fact]
    public async Task GarbageLogFile_IsKeptAside_AndTheStoreOpensEmpty()
    {
        var path = Db("live");
        using (Open(path))
        {
        }
        var gen = Path.GetFileName(path) + ".head-" + 99L.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + ".log";
        File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(path)!, gen), [.. BitConverter.GetBytes(4), 1, 2, 3, 4, 5, 6, 7, 8]);
        using var store = Open(path);
        Assert.Contains("corrupt", store.Inner.HeadRecoveryNote, StringComparison.Ordinal);
        Assert.Empty(store.Series.FindSeries(_a, []));
        await Write(store.Series, _a, Series(Cpu("h1"), T0, Step, 1)); // and keeps working
        Assert.Equal(new[] { 1.0 }, await Values(store.Series, _a, "h1"));
    }

    [Fact]
    public async Task AlreadyFlushedLog_LeftByACrashBeforeItsDelete_IsNotReplayed()
    {
        var path = Db("live");
        byte[] old;
        string oldName;
        using (var store = Open(path))
        {
            await Write(store.Series, _a, Series(Cpu("h1"), T0, Step, 1));
            oldName = HeadFile(path);
            old = File.ReadAllBytes(oldName);
            Assert.Equal(new[] { 1.0 }, await Values(store.Series, _a, "h1")); // a read flushes the head into DuckDB
            Assert.False(File.Exists(oldName));
            await Write(store.Series, _a, Series(Cpu("h1"), T0, Step, 2)); // overwrites, in the next generation
        }
        File.WriteAllBytes(oldName, old); // as if the crash came between the flush's commit and the log's delete
        using var after = Open(path);
        Assert.Equal(new[] { 2.0 }, await Values(after.Series, _a, "h1"));
        Assert.False(File.Exists(oldName));
    }

    [Fact]
    public async Task HeadOverTheThreshold_IsFlushedToDuckDb()
    {
        var path = Db("live");
        using var store = Open(path, headFlush: 10);
        await Write(store.Series, _a, Series(Cpu("h1"), T0, Step, [.. Enumerable.Range(0, 6).Select(i => (double)i)]));
        await Write(store.Series, _a, Series(Cpu("h1"), T0 + Step * 6, Step, [.. Enumerable.Range(6, 6).Select(i => (double)i)]));
        Assert.Equal(0, new FileInfo(HeadFile(path)).Length); // 12 ≥ 10: flushed, new empty log
        await Write(store.Series, _a, Series(Cpu("h1"), T0 + Step * 12, Step, 12));
        var copy = Crash(path, "crashed");
        File.Delete(HeadFile(copy)); // without the log, DuckDB alone holds the flushed 12
        using var after = Open(copy);
        Assert.Equal(12, (await Values(after.Series, _a, "h1")).Length);
    }

    [Fact]
    public async Task HeadLogOff_WritesEveryCommitToDuckDb()
    {
        var path = Db("live");
        using var store = Open(path, headFlush: 0);
        await Write(store.Series, _a, Series(Cpu("h1"), T0, Step, 1));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.head-*.log"));
        using var after = Open(Crash(path, "crashed"), headFlush: 0);
        Assert.Equal(new[] { 1.0 }, await Values(after.Series, _a, "h1"));
        Assert.Throws<ArgumentException>(() => Open(Db("bad"), headFlush: -1));
    }
}
