using System.Globalization;
using Auspex.Core.Series;
using Auspex.Storage.DuckDb;
using Auspex.Testing;
using DuckDB.NET.Data;

namespace Auspex.Storage.Tests;

/// <summary>
/// Raw blocks in segment files (<see cref="RawBlockLayout.SegmentFiles"/>): the files against a store that never
/// packed, crash ordering (bytes fsynced, index not committed), torn and corrupt files, retention and tenants, and
/// stores written in the DuckDB layout opened with segment files and back.
/// </summary>
public sealed class SegmentFilesTests : IDisposable
{
    private static readonly DateTimeOffset D0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly TenantId _a = new("tenant-a");
    private readonly TenantId _b = new("tenant-b");

    public void Dispose() => _dir.Dispose();

    private string Db(string folder)
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, folder));
        return Path.Combine(_dir.Path, folder, "auspex.duckdb");
    }

    private static EmbeddedStore Open(string path, RawBlockLayout layout = RawBlockLayout.SegmentFiles, RetentionPolicy? retention = null) =>
        AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = path, RawBlockLayout = layout, DefaultRetention = retention ?? RetentionPolicy.Default });

    private static List<(SeriesKey Key, DateTimeOffset At, double V)> Samples(int seed, int series, int days, string metric = "node_cpu_seconds_total")
    {
        var rng = new Random(seed);
        var list = new List<(SeriesKey, DateTimeOffset, double)>();
        for (var s = 0; s < series; s++)
        {
            var key = new SeriesKey(metric, Labels.Of("cpu", s.ToString(CultureInfo.InvariantCulture)));
            var value = 0.0;
            for (var at = D0.AddSeconds(rng.Next(300)); at < D0.AddDays(days); at = at.AddSeconds(rng.Next(5) == 0 ? rng.Next(1, 4000) : 300))
            {
                value += Math.Round(rng.NextDouble() * 5, 2);
                list.Add((key, at, value));
            }
        }
        return list;
    }

    private static Task Write(ISeriesStore store, TenantId t, IEnumerable<(SeriesKey Key, DateTimeOffset At, double V)> samples) =>
        StoreWrites.CommitAsync(store, t, samples);

    private static async Task<List<(string Key, long[] T, ulong[] V)>> Arrays(EmbeddedStore s, TenantId t, DateTimeOffset from, DateTimeOffset to) =>
        [.. (await ((IRawArrayReader)s.Series).ReadRawArraysAsync(t, [], from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds()))
            .Select(r => (r.Key.ToString(), r.T, r.V.Select(BitConverter.DoubleToUInt64Bits).ToArray()))];

    private static void AssertSame(List<(string Key, long[] T, ulong[] V)> expected, List<(string Key, long[] T, ulong[] V)> actual)
    {
        Assert.Equal(expected.Select(e => e.Key), actual.Select(a => a.Key));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].T, actual[i].T);
            Assert.Equal(expected[i].V, actual[i].V);
        }
    }

    private static long Scalar(string path, string sql)
    {
        using var db = new DuckDBConnection("Data Source=" + path);
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static List<string> SegFiles(string path) =>
        Directory.Exists(path + ".segments")
            ? [.. Directory.GetFiles(path + ".segments", "*.seg", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(path + ".segments", f)).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>Copies the store's folder, segment files included, as it is now: the state a crash at this moment leaves.</summary>
    private static string CopyFolder(string path, string target)
    {
        var from = Path.GetDirectoryName(path)!;
        foreach (var f in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(Path.GetDirectoryName(target)!, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(f, to, overwrite: true);
        }
        return target;
    }

    /// <summary>A store of two tenants × 3 series × 4 days with days 0–2 packed, and the same data in a store that never packs.</summary>
    private async Task<(string Path, EmbeddedStore Plain)> Packed(string folder)
    {
        var path = Db(folder);
        var plain = Open(Db(folder + "-plain"), RawBlockLayout.DuckDb);
        using (var s = Open(path))
        {
            foreach (var (t, seed) in new[] { (_a, 1), (_b, 2) })
            {
                var data = Samples(seed, 3, 4);
                await Write(s.Series, t, data);
                await Write(plain.Series, t, data);
            }
            await s.Series.RollupAsync(D0.AddDays(3));
        }
        return (path, plain);
    }

    [Fact]
    public void Crc32C_IsTheCastagnoliChecksum()
    {
        Assert.Equal(0xE3069283u, SegmentFiles.Crc32C("123456789"u8)); // the standard check value
        Assert.Equal(0u, SegmentFiles.Crc32C([]));
        Assert.NotEqual(SegmentFiles.Crc32C("123456788"u8), SegmentFiles.Crc32C("123456789"u8));
    }

    [Fact]
    public async Task Blocks_LiveInOneFilePerTenantAndDay_DuckDbHoldsOnlyTheIndex_ReadsEqualAnUnpackedStore()
    {
        var (path, plain) = await Packed("s");
        using (plain)
        {
            Assert.Equal(
                ["t-tenant-a/raw-20261101-0.seg", "t-tenant-a/raw-20261102-0.seg", "t-tenant-a/raw-20261103-0.seg",
                 "t-tenant-b/raw-20261101-0.seg", "t-tenant-b/raw-20261102-0.seg", "t-tenant-b/raw-20261103-0.seg"],
                SegFiles(path));
            Assert.Equal(0, Scalar(path, "SELECT count(*) FROM block_raw"));
            Assert.Equal(18, Scalar(path, "SELECT count(*) FROM block_raw_seg")); // 2 tenants × 3 series × 3 days
            Assert.Equal(6, Scalar(path, "SELECT count(DISTINCT seg) FROM block_raw_seg"));
            using var s = Open(path);
            Assert.Null(s.SegmentRecovery);
            foreach (var t in new[] { _a, _b })
            {
                foreach (var (from, to) in new[] { (D0, D0.AddDays(4)), (D0.AddHours(30), D0.AddHours(50)), (D0.AddDays(1), D0.AddDays(2)) })
                {
                    AssertSame(await Arrays(plain, t, from, to), await Arrays(s, t, from, to));
                }
            }
            // A tenant's blocks are only in its own files: tenant a's reads never see tenant b's values.
            var a = await Arrays(s, _a, D0, D0.AddDays(4));
            var b = await Arrays(s, _b, D0, D0.AddDays(4));
            Assert.NotEqual(a.SelectMany(x => x.V), b.SelectMany(x => x.V));
        }
    }

    [Fact]
    public async Task CrashAfterTheSegmentFsync_BeforeTheIndexCommit_OpensWithTheUncommittedBytesCutOff()
    {
        var (path, plain) = await Packed("s");
        using (plain)
        {
            // More data: day 3 (a new file at the next pass) and late samples into packed day 1 (appended to its file).
            var more = Samples(3, 3, 5).Where(p => p.At >= D0.AddDays(3)).ToList();
            var late = Samples(4, 3, 2).Where(p => p.At >= D0.AddDays(1)).Take(20).Select(p => (p.Key, p.At.AddSeconds(1), V: 7.0)).ToList();
            string? crashed = null;
            var before = SegFiles(path).ToDictionary(f => f, f => new FileInfo(Path.Combine(path + ".segments", f)).Length);
            using (var s = Open(path))
            {
                await Write(s.Series, _a, more);
                await Write(s.Series, _a, late);
                await Write(plain.Series, _a, more);
                await Write(plain.Series, _a, late);
                s.Inner.AfterSegmentSyncForTests = () =>
                {
                    crashed = CopyFolder(path, Db("crash"));
                    // The pass wrote to the day-1 file and created the day-3 file, and nothing is committed yet.
                    Assert.True(new FileInfo(Path.Combine(path + ".segments", "t-tenant-a/raw-20261102-0.seg")).Length > before["t-tenant-a/raw-20261102-0.seg"]);
                    Assert.True(File.Exists(Path.Combine(path + ".segments", "t-tenant-a/raw-20261104-0.seg")));
                };
                await s.Series.RollupAsync(D0.AddDays(4));
                AssertSame(await Arrays(plain, _a, D0, D0.AddDays(5)), await Arrays(s, _a, D0, D0.AddDays(5)));
            }
            Assert.NotNull(crashed);
            using (var c = Open(crashed))
            {
                Assert.Contains("cut", c.SegmentRecovery, StringComparison.Ordinal);
                Assert.Contains("raw-20261102-0.seg", c.SegmentRecovery, StringComparison.Ordinal);
                Assert.Contains("deleted", c.SegmentRecovery, StringComparison.Ordinal);
                Assert.Contains("raw-20261104-0.seg", c.SegmentRecovery, StringComparison.Ordinal);
                Assert.Equal(before, SegFiles(crashed).ToDictionary(f => f, f => new FileInfo(Path.Combine(crashed + ".segments", f)).Length));
                // Every acknowledged sample is there (the uncommitted pass left them in the samples table)…
                AssertSame(await Arrays(plain, _a, D0, D0.AddDays(5)), await Arrays(c, _a, D0, D0.AddDays(5)));
                // …and packing them again works.
                await c.Series.RollupAsync(D0.AddDays(4));
                AssertSame(await Arrays(plain, _a, D0, D0.AddDays(5)), await Arrays(c, _a, D0, D0.AddDays(5)));
                AssertSame(await Arrays(plain, _b, D0, D0.AddDays(5)), await Arrays(c, _b, D0, D0.AddDays(5)));
            }
        }
    }

    [Fact]
    public async Task FailedIndexCommit_CutsTheBytesBack_AndTheNextPassSucceeds()
    {
        var (path, plain) = await Packed("s");
        using (plain)
        using (var s = Open(path))
        {
            var before = SegFiles(path).ToDictionary(f => f, f => new FileInfo(Path.Combine(path + ".segments", f)).Length);
            var more = Samples(5, 3, 5).Where(p => p.At >= D0.AddDays(2).AddHours(12)).ToList(); // into packed day 2 and new days
            await Write(s.Series, _a, more);
            await Write(plain.Series, _a, more);
            s.Inner.AfterSegmentSyncForTests = () => throw new IOException("simulated failure before the index commit");
            var e = await Assert.ThrowsAsync<IOException>(() => s.Series.RollupAsync(D0.AddDays(4)));
            Assert.Contains("simulated", e.Message, StringComparison.Ordinal);
            Assert.Equal(before, SegFiles(path).ToDictionary(f => f, f => new FileInfo(Path.Combine(path + ".segments", f)).Length));
            AssertSame(await Arrays(plain, _a, D0, D0.AddDays(5)), await Arrays(s, _a, D0, D0.AddDays(5)));
            s.Inner.AfterSegmentSyncForTests = null;
            await s.Series.RollupAsync(D0.AddDays(4));
            Assert.Contains("t-tenant-a/raw-20261104-0.seg", SegFiles(path));
            AssertSame(await Arrays(plain, _a, D0, D0.AddDays(5)), await Arrays(s, _a, D0, D0.AddDays(5)));
        }
    }

    [Fact]
    public async Task TornBytesAtTheEnd_AndAnOrphanFile_AreRemovedOnOpen()
    {
        var (path, plain) = await Packed("s");
        using (plain)
        {
            var file = Path.Combine(path + ".segments", "t-tenant-a/raw-20261102-0.seg");
            var length = new FileInfo(file).Length;
            using (var f = new FileStream(file, FileMode.Append))
            {
                f.Write([1, 0x20, 0x33, 0x44, 0x55, 0x66, 0x77]); // half a block a crash left behind
            }
            var orphan = Path.Combine(path + ".segments", "t-tenant-a/raw-20261105-0.seg");
            File.WriteAllBytes(orphan, [.. SegmentFiles.Magic.ToArray(), 1, 2, 3]);
            using var s = Open(path);
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"cut 7 uncommitted bytes off {file} at offset {length}"), s.SegmentRecovery, StringComparison.Ordinal);
            Assert.Contains("deleted " + orphan, s.SegmentRecovery, StringComparison.Ordinal);
            Assert.Equal(length, new FileInfo(file).Length);
            Assert.False(File.Exists(orphan));
            AssertSame(await Arrays(plain, _a, D0, D0.AddDays(4)), await Arrays(s, _a, D0, D0.AddDays(4)));
        }
    }

    [Fact]
    public async Task CorruptByte_FailsNamingFileSeriesAndOffset_OtherDaysStillRead()
    {
        var (path, plain) = await Packed("s");
        using (plain)
        {
            var file = Path.Combine(path + ".segments", "t-tenant-a/raw-20261102-0.seg");
            var bytes = File.ReadAllBytes(file);
            bytes[bytes.Length / 2] ^= 0x10;
            File.WriteAllBytes(file, bytes);
            using var s = Open(path);
            foreach (var pass in new[] { 1, 2 }) // the second pass with the good blocks cached
            {
                var e = await Assert.ThrowsAsync<InvalidDataException>(() => Arrays(s, _a, D0, D0.AddDays(4)));
                Assert.Contains("segment file " + file, e.Message, StringComparison.Ordinal);
                Assert.Contains("checksum mismatch", e.Message, StringComparison.Ordinal);
                Assert.Matches(@"block_raw of series \d+ at 1793577600000: .*\(offset \d+, \d+ bytes\)", e.Message);
                AssertSame(await Arrays(plain, _a, D0, D0.AddDays(1).AddMilliseconds(-1)), await Arrays(s, _a, D0, D0.AddDays(1).AddMilliseconds(-1))); // the read's end is inclusive
                AssertSame(await Arrays(plain, _a, D0.AddDays(2), D0.AddDays(4)), await Arrays(s, _a, D0.AddDays(2), D0.AddDays(4)));
                AssertSame(await Arrays(plain, _b, D0, D0.AddDays(4)), await Arrays(s, _b, D0, D0.AddDays(4)));
            }
            // A bad header is named as such.
            bytes = File.ReadAllBytes(file);
            bytes[0] = (byte)'X';
            File.WriteAllBytes(file, bytes);
            using var s2 = Open(path);
            var h = await Assert.ThrowsAsync<InvalidDataException>(() => Arrays(s2, _a, D0.AddDays(1), D0.AddDays(2)));
            Assert.Contains($"segment file {file}: not an Auspex segment file", h.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task MissingOrTruncatedFile_FailsNamingTheFile_OtherDaysStillRead()
    {
        var (path, plain) = await Packed("s");
        using (plain)
        {
            var missing = Path.Combine(path + ".segments", "t-tenant-a/raw-20261103-0.seg");
            File.Delete(missing);
            var truncated = Path.Combine(path + ".segments", "t-tenant-a/raw-20261102-0.seg");
            var full = new FileInfo(truncated).Length;
            using (var f = new FileStream(truncated, FileMode.Open))
            {
                f.SetLength(full / 2);
            }
            using var s = Open(path);
            Assert.Contains(missing + " is missing", s.SegmentRecovery, StringComparison.Ordinal);
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{truncated} has {full / 2} bytes, its committed blocks reach {full}"), s.SegmentRecovery, StringComparison.Ordinal);
            var e = await Assert.ThrowsAsync<InvalidDataException>(() => Arrays(s, _a, D0.AddDays(2), D0.AddDays(3)));
            Assert.Contains($"segment file {missing} is missing", e.Message, StringComparison.Ordinal);
            e = await Assert.ThrowsAsync<InvalidDataException>(() => Arrays(s, _a, D0.AddDays(1), D0.AddDays(2)));
            Assert.Contains($"segment file {truncated}: {full / 2} bytes, but a block at offset", e.Message, StringComparison.Ordinal);
            Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
            AssertSame(await Arrays(plain, _a, D0, D0.AddDays(1).AddMilliseconds(-1)), await Arrays(s, _a, D0, D0.AddDays(1).AddMilliseconds(-1))); // the read's end is inclusive
            AssertSame(await Arrays(plain, _b, D0, D0.AddDays(4)), await Arrays(s, _b, D0, D0.AddDays(4)));
        }
    }

    [Fact]
    public async Task Retention_DeletesWholeExpiredFiles_RewritesTheStraddlingBlock_AndLeavesOtherTenantsAlone()
    {
        var (path, plain) = await Packed("s");
        using (plain)
        {
            var policy = new RetentionPolicy(TimeSpan.FromHours(36), TimeSpan.FromDays(10), TimeSpan.FromDays(30));
            var now = D0.AddDays(4); // tenant a's raw cutoff: day 2, 12:00
            var day2 = Path.Combine(path + ".segments", "t-tenant-a/raw-20261103-0.seg");
            var day2Before = new FileInfo(day2).Length;
            using (var s = Open(path))
            {
                await s.Series.SetRetentionAsync(_a, policy);
                await plain.Series.SetRetentionAsync(_a, policy);
                var rs = await s.Series.ApplyRetentionAsync(now);
                var rp = await plain.Series.ApplyRetentionAsync(now);
                Assert.Equal(rp.RawDeleted, rs.RawDeleted);
                Assert.True(rs.RawDeleted > 0);
                Assert.Equal(
                    ["t-tenant-a/raw-20261103-0.seg",
                     "t-tenant-b/raw-20261101-0.seg", "t-tenant-b/raw-20261102-0.seg", "t-tenant-b/raw-20261103-0.seg"],
                    SegFiles(path));
                Assert.True(new FileInfo(day2).Length > day2Before); // the straddling blocks, rewritten, appended
                foreach (var t in new[] { _a, _b })
                {
                    AssertSame(await Arrays(plain, t, D0, D0.AddDays(4)), await Arrays(s, t, D0, D0.AddDays(4)));
                }
                Assert.True((await Arrays(s, _a, D0, D0.AddDays(4))).All(x => x.T[0] >= D0.AddHours(60).ToUnixTimeMilliseconds()));
            }
            using (var s = Open(path))
            {
                Assert.Null(s.SegmentRecovery);
                foreach (var t in new[] { _a, _b })
                {
                    AssertSame(await Arrays(plain, t, D0, D0.AddDays(4)), await Arrays(s, t, D0, D0.AddDays(4)));
                }
                // A day later the rewritten day expires too: its file goes, whole.
                await s.Series.ApplyRetentionAsync(now.AddDays(1));
                await plain.Series.ApplyRetentionAsync(now.AddDays(1));
                Assert.DoesNotContain("t-tenant-a/raw-20261103-0.seg", SegFiles(path));
                Assert.False(Directory.Exists(Path.Combine(path + ".segments", "t-tenant-a")));
                AssertSame(await Arrays(plain, _a, D0, D0.AddDays(5)), await Arrays(s, _a, D0, D0.AddDays(5)));
            }
            Assert.Equal(0, Scalar(path, "SELECT count(*) FROM segment s WHERE s.tenant = 'tenant-a'"));
        }
    }

    [Fact]
    public async Task StoreWrittenWithBlocksInDuckDb_OpensWithSegmentFiles_AndBack_ReadingTheSame()
    {
        var path = Db("m");
        List<(string, long[], ulong[])> expectedA, expectedB;
        using (var s = Open(path, RawBlockLayout.DuckDb))
        {
            await Write(s.Series, _a, Samples(7, 4, 4));
            await Write(s.Series, _b, Samples(8, 2, 4));
            await s.Series.RollupAsync(D0.AddDays(3));
            expectedA = await Arrays(s, _a, D0, D0.AddDays(4));
            expectedB = await Arrays(s, _b, D0, D0.AddDays(4));
        }
        Assert.Equal(18, Scalar(path, "SELECT count(*) FROM block_raw"));
        Assert.Empty(SegFiles(path));
        using (var s = Open(path))
        {
            Assert.Equal("moved 18 raw blocks from DuckDB's block_raw into segment files", s.SegmentRecovery);
            AssertSame(expectedA, await Arrays(s, _a, D0, D0.AddDays(4)));
            AssertSame(expectedB, await Arrays(s, _b, D0, D0.AddDays(4)));
            Assert.Equal(6, SegFiles(path).Count);
            // A late sample into a migrated day is merged with the migrated block.
            var key = new SeriesKey("node_cpu_seconds_total", Labels.Of("cpu", "0"));
            await Write(s.Series, _a, [(key, D0.AddDays(1).AddSeconds(1), 42.0)]);
            await s.Series.RollupAsync(D0.AddDays(3));
            expectedA = await Arrays(s, _a, D0, D0.AddDays(4));
            Assert.Contains(BitConverter.DoubleToUInt64Bits(42.0), expectedA.Single(x => x.Item1.Contains("\"0\"", StringComparison.Ordinal)).Item3);
        }
        Assert.Equal(0, Scalar(path, "SELECT count(*) FROM block_raw"));
        Assert.Equal(18, Scalar(path, "SELECT count(*) FROM block_raw_seg"));
        using (var s = Open(path))
        {
            Assert.Null(s.SegmentRecovery); // nothing left to move
        }
        using (var s = Open(path, RawBlockLayout.DuckDb))
        {
            Assert.Equal("moved 18 raw blocks from segment files into DuckDB's block_raw", s.SegmentRecovery);
            AssertSame(expectedA, await Arrays(s, _a, D0, D0.AddDays(4)));
            AssertSame(expectedB, await Arrays(s, _b, D0, D0.AddDays(4)));
        }
        Assert.Empty(SegFiles(path));
        Assert.Equal(18, Scalar(path, "SELECT count(*) FROM block_raw"));
        Assert.Equal(0, Scalar(path, "SELECT count(*) FROM block_raw_seg") + Scalar(path, "SELECT count(*) FROM segment"));
    }

    [Fact]
    public async Task SegmentWhoseBlocksAreAllGone_CrashBeforeItsFileWasDeleted_IsDroppedOnOpen()
    {
        var (path, plain) = await Packed("s");
        plain.Dispose();
        // Retention committed the index deletes of tenant a's first day, then the process died before the file went.
        using (var db = new DuckDBConnection("Data Source=" + path))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "DELETE FROM block_raw_seg WHERE seg IN (SELECT id FROM segment WHERE tenant = 'tenant-a' AND path LIKE '%raw-20261101-0.seg')";
            Assert.Equal(3, cmd.ExecuteNonQuery());
        }
        var file = Path.Combine(path + ".segments", "t-tenant-a", "raw-20261101-0.seg");
        Assert.True(File.Exists(file));
        using (var s = Open(path))
        {
            Assert.Contains("deleted " + file + ": no committed block in it", s.SegmentRecovery, StringComparison.Ordinal);
            Assert.False(File.Exists(file));
            Assert.Empty(await Arrays(s, _a, D0, D0.AddDays(1).AddMilliseconds(-1)));
            Assert.Equal(3, (await Arrays(s, _a, D0.AddDays(1), D0.AddDays(3))).Count);
        }
        Assert.Equal(5, Scalar(path, "SELECT count(*) FROM segment"));
    }

    [Fact]
    public async Task FreshStart_DeletesTheSegmentFilesWithTheHeadLogs()
    {
        var (path, plain) = await Packed("s");
        plain.Dispose();
        Assert.NotEmpty(SegFiles(path));
        AuspexStorage.DeleteHeadLogs(path);
        Assert.False(Directory.Exists(path + ".segments"));
    }

    [Fact]
    public void UnknownLayout_IsRefusedNamingTheOption()
    {
        var e = Assert.Throws<ArgumentException>(() => Open(Db("x"), (RawBlockLayout)7));
        Assert.Contains("StorageOptions.RawBlockLayout", e.Message, StringComparison.Ordinal);
        Assert.Equal(RawBlockLayout.SegmentFiles, new StorageOptions().RawBlockLayout);
    }
}
