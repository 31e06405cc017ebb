using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Auspex.Core.Series;
using Auspex.Engine;
using Auspex.Engine.Configuration;
using Auspex.Ingestion.RemoteWrite;
using Auspex.Server;
using Auspex.Storage;

namespace Auspex.Bench.Ingestion;

/// <summary>
/// End-to-end ingestion and range-query benchmark, Auspex vs a real Prometheus in one run: the same remote_write
/// bodies (N series × D days at a fixed interval, node_exporter-shaped counters, time-ordered, from concurrent senders
/// each owning a share of the series — Prometheus' remote_write shards — over HTTP on loopback) go to `auspex serve` (a child process: this harness in --serve-auspex mode, the same runtime
/// and server as `auspex serve`) and to Prometheus (Debian's package, --web.enable-remote-write-receiver), one receiver
/// at a time so they do not compete for the cores. Measured per receiver: samples per wall second and per CPU-second
/// of the receiving process, peak RSS (VmHWM), bytes per sample on disk after shutdown; then the range query of every
/// series over the whole range (5-minute resolution, median of runs): Auspex's store read in-process vs Prometheus'
/// query_range over HTTP with step 5m.
/// </summary>
internal static class StoreBench
{
    private const string Token = "bench-operator-token";

    private static bool ServeJitTiered { get; set; }

    public static async Task<int> RunAsync(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        string Arg(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        var seriesCount = int.Parse(Arg("--series", "1000"), inv);
        var days = double.Parse(Arg("--days", "7"), inv);
        var interval = TimeSpan.FromSeconds(double.Parse(Arg("--interval-seconds", "60"), inv));
        var perSeries = int.Parse(Arg("--samples-per-series-per-request", "10"), inv);
        var senders = int.Parse(Arg("--senders", "4"), inv);
        var runs = int.Parse(Arg("--query-runs", "5"), inv);
        var prometheus = Arg("--prometheus", "/usr/bin/prometheus");
        ServeJitTiered = Arg("--serve-jit", "notiered") == "tiered";

        var end = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 3600 * 3600);
        var start = end - TimeSpan.FromDays(days);
        var keys = Payloads.Keys(seriesCount);
        var sw = Stopwatch.StartNew();
        var bodies = Dataset(keys, start, end, interval, perSeries, senders);
        var samples = (long)seriesCount * (long)((end - start) / interval);
        Console.WriteLine(string.Create(inv, $"# store bench: {seriesCount:N0} series × {days:0.#} days every {interval.TotalSeconds:0}s = {samples:N0} samples in {bodies.Count * senders:N0} remote_write requests from {senders} concurrent senders " +
            $"(like Prometheus' shards: each owns a quarter of the series, all send the same time window together; {bodies.Sum(r => r.Sum(b => (long)b.Length)) / (double)samples:F2} B/sample snappy on the wire), built in {sw.Elapsed.TotalSeconds:F1}s; " +
            $"{Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));

        if (args.Contains("--stages"))
        {
            await StageBench.RunAsync(bodies, samples, int.Parse(Arg("--stage-runs", "3"), inv));
            return 0;
        }
        var dir = Directory.CreateTempSubdirectory("auspex-store-bench-").FullName;
        try
        {
            if (args.Contains("--steady-only"))
            {
                // Only the in-process steady state (h-store6): hourly passes, bytes per closed day, the 5-minute read side by side.
                await SteadyState(Path.Combine(dir, "steady"), keys, start, end, interval, samples);
                return 0;
            }
            if (args.Contains("--ingest-only"))
            {
                // Only `auspex serve` receiving the stream (for profiling the server path, e.g. under dotnet-trace).
                using var only = await RunAuspex(Path.Combine(dir, "auspex"), bodies, samples);
                return 0;
            }
            await StoreAlone(Path.Combine(dir, "alone.duckdb"), keys, start, interval);
            Receiver? prom = null;
            if (prometheus != "none" && File.Exists(prometheus))
            {
                prom = await RunPrometheus(prometheus, Path.Combine(dir, "prometheus"), bodies, samples);
            }
            else
            {
                Console.WriteLine($"prometheus: skipped ({prometheus} not found; apt-get install -y prometheus)");
            }
            var auspex = await RunAuspex(Path.Combine(dir, "auspex"), bodies, samples);

            // Range query: every series over the whole range at 5-minute resolution.
            var dbPath = Path.Combine(dir, "auspex", "data", "auspex.duckdb");
            // The same ingested folder packed with raw blocks kept as BLOBs in DuckDB (the layout before segment files),
            // for the packed-state bytes side by side. Set by name: a base without the option skips it.
            var layoutProp = typeof(StorageOptions).GetProperty("RawBlockLayout");
            if (layoutProp is not null)
            {
                var oldDir = Path.Combine(dir, "auspex-duckdb-layout");
                Directory.CreateDirectory(oldDir);
                foreach (var f in Directory.GetFiles(Path.GetDirectoryName(dbPath)!))
                {
                    File.Copy(f, Path.Combine(oldDir, Path.GetFileName(f)));
                }
                var o = new StorageOptions { DatabasePath = Path.Combine(oldDir, "auspex.duckdb") };
                layoutProp.SetValue(o, Enum.Parse(layoutProp.PropertyType, "DuckDb"));
                using (var old = AuspexStorage.OpenEmbedded(o))
                {
                    await old.Series.RollupAsync(end + TimeSpan.FromHours(1));
                }
                var oldBytes = DirBytes(oldDir);
                Console.WriteLine(string.Create(inv, $"auspex, raw blocks as DuckDB BLOBs (the layout before), after packing every closed day (clean close): {oldBytes / 1048576.0:F1} MiB = {oldBytes / (double)samples:F2} B/sample"));
                PrintDuckDbSize(o.DatabasePath, 0, samples);
            }
            using var store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = dbPath });
            var rollup = Stopwatch.StartNew();
            await store.Series.RollupAsync(end + TimeSpan.FromHours(1));
            rollup.Stop();
            var matchers = new[] { new LabelMatcher("__name__", LabelMatchType.Equal, "node_cpu_seconds_total") };
            var range = new TimeRange(start, end);
            var points = 0;
            var auspexTimes = await Median(runs, async () =>
            {
                var r = await store.Series.ReadAsync(TenantId.Default, matchers, range, Resolution.FiveMinutes);
                points = r.Sum(s => s.Samples.Count);
                if (r.Count != seriesCount)
                {
                    throw new InvalidOperationException($"auspex returned {r.Count} series, expected {seriesCount}");
                }
            });
            Console.WriteLine(string.Create(inv, $"auspex rollup of the ingested data (5m and 1h, once, after ingest): {rollup.Elapsed.TotalSeconds:F1}s"));
            Console.WriteLine(string.Create(inv, $"auspex read {seriesCount} series × {days:0.#} days at 5m ({points:N0} points, in-process store read): median {auspexTimes.Median:F0} ms (runs {string.Join(", ", auspexTimes.All.Select(t => t.ToString("F0", inv)))} ms)"));
            var rawTimes = await Median(Math.Min(runs, 3), async () =>
            {
                var r = await store.Series.ReadAsync(TenantId.Default, matchers, new TimeRange(end - TimeSpan.FromDays(1), end), Resolution.Raw);
                points = r.Sum(s => s.Samples.Count);
            });
            Console.WriteLine(string.Create(inv, $"auspex read {seriesCount} series × last 1 day raw ({points:N0} points): median {rawTimes.Median:F0} ms"));
            // Closed days packed (raw blocks in segment files where the build has them, rollup blocks in DuckDB): the
            // steady state of data older than a day, everything under the data folder counted (segment files included).
            store.Dispose();
            var dataDir = Path.GetDirectoryName(dbPath)!;
            var packedBytes = DirBytes(dataDir);
            var segBytes = DirBytes(dbPath + ".segments");
            Console.WriteLine(string.Create(inv, $"auspex after packing every closed day (clean close): {packedBytes / 1048576.0:F1} MiB in {dataDir} = {packedBytes / (double)samples:F2} B/sample, of which segment files {segBytes / 1048576.0:F1} MiB ({Directory.GetFiles(dataDir, "*.seg", SearchOption.AllDirectories).Length} files)"));
            PrintDuckDbSize(dbPath, segBytes, samples);
            PrintRollupBytes(dbPath, samples);
            if (!args.Contains("--no-steady"))
            {
                await SteadyState(Path.Combine(dir, "steady"), keys, start, end, interval, samples);
            }
            if (prom is not null)
            {
                Console.WriteLine($"{prom.Name}: compacted blocks now: {prom.Blocks?.Invoke()}");
                await PrometheusQuery(prom, start, end, runs, seriesCount, days);
                prom.Dispose();
            }
            auspex.Dispose();
            Console.WriteLine(string.Create(inv, $"ratios auspex/prometheus: ingest rate per CPU-second {Ratio(auspex.PerCpuSecond, prom?.PerCpuSecond)} (second half, steady state: {Ratio(auspex.SteadyPerCpuSecond, prom?.SteadyPerCpuSecond)}), per wall second {Ratio(auspex.PerWallSecond, prom?.PerWallSecond)}, " +
                $"bytes/sample {Ratio(auspex.BytesPerSample, prom?.BytesPerSample)}, peak RSS {Ratio(auspex.PeakRssKiB, prom?.PeakRssKiB)}"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        return 0;
    }

    /// <summary>Per rollup level: blocks stored, marker rows (computed from the raw block on read) and the bytes of each section of the stored blocks.</summary>
    private static void PrintRollupBytes(string dbPath, long samples)
    {
        var inv = CultureInfo.InvariantCulture;
        using var s = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = dbPath });
        Console.WriteLine("  256 KiB blocks per table: " + string.Join(", ", s.Inner.TableBlocks().Select(t => string.Create(inv, $"{t.Table} {t.Blocks}"))));
        foreach (var (table, stored, markers, sections) in s.Inner.RollupBlockBytes())
        {
            var parts = string.Join(", ", Auspex.Storage.DuckDb.BlockCodec.RollupSections.Select((n, i) => string.Create(inv, $"{n} {sections[i] / 1048576.0:F2} MiB")));
            Console.WriteLine(string.Create(inv, $"  {table}: {stored:N0} blocks stored, {markers:N0} computed from raw on read; stored bytes {sections.Sum() / 1048576.0:F2} MiB = {sections.Sum() / (double)samples:F2} B/sample ({parts})"));
        }
    }

    /// <summary>
    /// A running server's steady state, in process: the same data shape written hour by hour (one commit per series
    /// round, as remote_write sends it) into a fresh store, with the server's hourly pass (RollupAsync) after each hour —
    /// so each day is packed when it closes and the head never holds more than a day. After every day: the data folder,
    /// DuckDB's used and free blocks and B/sample over the samples written so far; then two more passes with no new data;
    /// then the 7-day 5-minute read (cold after a reopen, then warm) in CPU time.
    /// </summary>
    private static async Task SteadyState(string dir, List<SeriesKey> keys, DateTimeOffset start, DateTimeOffset end, TimeSpan interval, long totalSamples)
    {
        var inv = CultureInfo.InvariantCulture;
        Directory.CreateDirectory(dir);
        var dbPath = Path.Combine(dir, "auspex.duckdb");
        var random = new Random(42);
        var values = keys.Select(_ => Math.Round(random.NextDouble() * 1e5, 2)).ToArray();
        var steps = (int)((end - start) / interval);
        long written = 0;
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var cpu0 = self.TotalProcessorTime;
        double passCpuMs = 0;
        Console.WriteLine("steady state (in process, hourly packing passes as `auspex serve` runs them, one line per closed day):");
        var store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = dbPath });
        try
        {
            var nextPass = start + TimeSpan.FromHours(1);
            var closedDays = 0;
            for (var i = 0; i < steps; i++)
            {
                var at = start + (interval * i);
                while (at >= nextPass)
                {
                    self.Refresh();
                    var c = self.TotalProcessorTime;
                    await store.Series.RollupAsync(nextPass);
                    self.Refresh();
                    passCpuMs += (self.TotalProcessorTime - c).TotalMilliseconds;
                    if (nextPass.TimeOfDay == TimeSpan.Zero)
                    {
                        PrintSteady(store, dbPath, string.Create(inv, $"day {++closedDays} packed ({nextPass.AddDays(-1):yyyy-MM-dd})"), written);
                    }
                    nextPass += TimeSpan.FromHours(1);
                }
                await using var app = store.Series.BeginAppend(TenantId.Default);
                for (var k = 0; k < keys.Count; k++)
                {
                    values[k] = Math.Round(values[k] + random.NextDouble() * interval.TotalSeconds, 2);
                    app.Add(keys[k], at, values[k]);
                }
                var r = await app.CommitAsync();
                if (!r.Ok)
                {
                    throw new InvalidOperationException(string.Join("; ", r.Errors));
                }
                written += keys.Count;
            }
            // The day that holds `end` closes at the next midnight; the passes up to then and two more without new data.
            var last = end.Date + TimeSpan.FromDays(end.TimeOfDay == TimeSpan.Zero ? 0 : 1);
            for (; nextPass <= last; nextPass += TimeSpan.FromHours(1))
            {
                await store.Series.RollupAsync(nextPass);
            }
            PrintSteady(store, dbPath, "every day packed", written);
            await store.Series.RollupAsync(last + TimeSpan.FromHours(1));
            await store.Series.RollupAsync(last + TimeSpan.FromHours(2));
            PrintSteady(store, dbPath, "two more passes, no new data", written);
            // Whether DuckDB gives free blocks back when asked: an explicit and a forced checkpoint.
            store.Inner.ExecuteForBench("CHECKPOINT");
            PrintSteady(store, dbPath, "after CHECKPOINT", written);
            store.Inner.ExecuteForBench("FORCE CHECKPOINT");
            PrintSteady(store, dbPath, "after FORCE CHECKPOINT", written);
            self.Refresh();
            Console.WriteLine(string.Create(inv, $"  writing + passes: {(self.TotalProcessorTime - cpu0).TotalSeconds:F1} s CPU, of which the hourly passes {passCpuMs / 1000:F1} s"));
        }
        finally
        {
            store.Dispose();
        }
        // The same store with every 5-minute bucket stored (as before markers), for the read side by side.
        var storedDir = dir + "-stored";
        Directory.CreateDirectory(storedDir);
        CopyDir(dir, storedDir);
        var storedPath = Path.Combine(storedDir, "auspex.duckdb");
        using (var s = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = storedPath }))
        {
            s.Inner.StoreDerivedRollupsForBench();
            PrintSteady(s, storedPath, "the same with the 5-minute level stored (before)", written);
        }
        var matchers = new[] { new LabelMatcher("__name__", LabelMatchType.Equal, "node_cpu_seconds_total") };
        var cold = new Dictionary<string, List<double>> { ["derived"] = [], ["stored"] = [] };
        var warm = new Dictionary<string, List<double>> { ["derived"] = [], ["stored"] = [] };
        var sums = new Dictionary<string, double>();
        for (var round = 0; round < 5; round++)
        {
            foreach (var (name, path) in new[] { ("derived", dbPath), ("stored", storedPath) })
            {
                using var s = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = path });
                for (var run = 0; run < 2; run++)
                {
                    self.Refresh();
                    var c = self.TotalProcessorTime;
                    var got = await s.Series.ReadAsync(TenantId.Default, matchers, new TimeRange(start, end), Resolution.FiveMinutes);
                    self.Refresh();
                    (run == 0 ? cold : warm)[name].Add((self.TotalProcessorTime - c).TotalMilliseconds);
                    sums[name] = got.Sum(x => x.Samples.Sum(p => p.Value));
                    if (got.Count != keys.Count)
                    {
                        throw new InvalidOperationException($"{name}: {got.Count} series");
                    }
                }
            }
        }
        // Opening a store written before markers: the one-time conversion of the stored 5-minute blocks (checked against
        // their raw blocks), in CPU time, then the folder.
        using (var s = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = storedPath }))
        {
            s.Inner.ExecuteForBench("DELETE FROM meta WHERE key = 'rollup_derived_v1'");
        }
        self.Refresh();
        var openCpu = self.TotalProcessorTime;
        var openWall = Stopwatch.StartNew();
        using (var s = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = storedPath }))
        {
            self.Refresh();
            Console.WriteLine(string.Create(inv, $"  opening that store as one written before markers: {(self.TotalProcessorTime - openCpu).TotalMilliseconds:F0} ms CPU ({openWall.ElapsedMilliseconds} ms wall), note: {s.Inner.RollupConversionNote}"));
            PrintSteady(s, storedPath, "after the conversion", written);
        }
        if (sums["derived"] != sums["stored"])
        {
            throw new InvalidOperationException($"derived and stored 5-minute reads differ: {sums["derived"]} vs {sums["stored"]}");
        }
        static double Med(List<double> x) => x.Order().ElementAt(x.Count / 2);
        Console.WriteLine(string.Create(inv, $"  7-day 5-minute read of {keys.Count:N0} series, 5 rounds alternating, ms CPU, median (all): computed from raw blocks cold {Med(cold["derived"]):F0} ({string.Join(", ", cold["derived"].Select(x => x.ToString("F0", inv)))}), warm {Med(warm["derived"]):F0} ({string.Join(", ", warm["derived"].Select(x => x.ToString("F0", inv)))}); " +
            $"stored 5-minute blocks cold {Med(cold["stored"]):F0} ({string.Join(", ", cold["stored"].Select(x => x.ToString("F0", inv)))}), warm {Med(warm["stored"]):F0} ({string.Join(", ", warm["stored"].Select(x => x.ToString("F0", inv)))}); ratio cold {Med(cold["derived"]) / Med(cold["stored"]):F2}, warm {Med(warm["derived"]) / Med(warm["stored"]):F2}; same sum of values {sums["derived"]:G17}"));
        _ = totalSamples;
    }

    private static void CopyDir(string from, string to)
    {
        foreach (var d in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, d)));
        }
        foreach (var f in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(f, Path.Combine(to, Path.GetRelativePath(from, f)));
        }
    }

    private static void PrintSteady(EmbeddedStore store, string dbPath, string when, long written)
    {
        var inv = CultureInfo.InvariantCulture;
        var dirBytes = DirBytes(Path.GetDirectoryName(dbPath)!);
        var segBytes = DirBytes(dbPath + ".segments");
        var (total, used, free) = store.Inner.DatabaseBlocks();
        var perTable = string.Join(", ", store.Inner.TableBlocks().Select(t => string.Create(inv, $"{t.Table} {t.Blocks}")));
        Console.WriteLine(string.Create(inv, $"  {when}: folder {dirBytes / 1048576.0:F1} MiB = {dirBytes / (double)written:F2} B/sample over {written:N0} samples; segment files {segBytes / 1048576.0:F1} MiB, DuckDB {total / 1048576.0:F1} MiB in blocks ({used / 1048576.0:F1} used, {free / 1048576.0:F1} free), head log and WAL {(dirBytes - segBytes - total) / 1048576.0:F1} MiB; 256 KiB blocks per table: {perTable}"));
    }

    /// <summary>DuckDB's own account of its file: blocks used and free (free blocks are reused by later writes, not returned to the OS).</summary>
    private static void PrintDuckDbSize(string dbPath, long segBytes, long samples)
    {
        var inv = CultureInfo.InvariantCulture;
        using var db = new DuckDB.NET.Data.DuckDBConnection("Data Source=" + dbPath);
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT block_size, total_blocks, used_blocks, free_blocks FROM pragma_database_size()";
        using var rd = cmd.ExecuteReader();
        if (rd.Read())
        {
            var bs = Convert.ToDouble(rd.GetValue(0), inv);
            var used = Convert.ToDouble(rd.GetValue(2), inv) * bs;
            Console.WriteLine(string.Create(inv, $"  DuckDB file: {Convert.ToDouble(rd.GetValue(1), inv) * bs / 1048576.0:F1} MiB in blocks, {used / 1048576.0:F1} MiB used, {Convert.ToDouble(rd.GetValue(3), inv) * bs / 1048576.0:F1} MiB free; used + segment files = {(used + segBytes) / samples:F2} B/sample"));
        }
    }

    /// <summary>The store without HTTP: commits of 1,000 and of 10,000 samples, CPU-seconds of this process.</summary>
    private static async Task StoreAlone(string path, List<SeriesKey> keys, DateTimeOffset start, TimeSpan interval)
    {
        using var store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = path });
        using var self = Process.GetCurrentProcess();
        var t = 0;
        foreach (var perCommit in new[] { 1_000, 10_000 })
        {
            var commits = perCommit == 1_000 ? 200 : 40;
            self.Refresh();
            var cpu = self.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            for (var c = 0; c < commits; c++)
            {
                await using var app = store.Series.BeginAppend(TenantId.Default);
                for (var i = 0; i < perCommit; i++)
                {
                    app.Add(keys[i % keys.Count], start + interval * (t + i / keys.Count), i);
                }
                t += perCommit / keys.Count + 1;
                var r = await app.CommitAsync();
                if (!r.Ok)
                {
                    throw new InvalidOperationException(string.Join("; ", r.Errors));
                }
            }
            self.Refresh();
            var seconds = (self.TotalProcessorTime - cpu).TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"store alone (in-process, no HTTP): {commits} commits of {perCommit:N0} samples: {commits * perCommit / seconds / 1e3:F1} k samples per CPU-second, {seconds / commits * 1e3:F1} ms CPU per commit ({sw.Elapsed.TotalMilliseconds / commits:F1} ms wall)"));
        }
    }

    private static string BlockBytesPerSample(string data)
    {
        long bytes = 0, count = 0;
        foreach (var meta in Directory.EnumerateFiles(data, "meta.json", SearchOption.AllDirectories))
        {
            var block = Path.GetDirectoryName(meta)!;
            if (block.EndsWith(".tmp-for-creation", StringComparison.Ordinal))
            {
                continue;
            }
            using var doc = JsonDocument.Parse(File.ReadAllText(meta));
            count += doc.RootElement.GetProperty("stats").GetProperty("numSamples").GetInt64();
            bytes += new DirectoryInfo(block).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        }
        return count == 0 ? "none yet" : string.Create(CultureInfo.InvariantCulture, $"{count:N0} samples in {bytes / 1048576.0:F1} MiB = {bytes / (double)count:F2} B/sample");
    }

    private static string Ratio(double a, double? b) => b is { } x && x > 0 ? (a / x).ToString("F2", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>
    /// Time-ordered rounds of requests: in each round, sender j sends its share of the series (every j-th) for the next
    /// <paramref name="perSeries"/> timestamps.
    /// </summary>
    private static List<byte[][]> Dataset(List<SeriesKey> keys, DateTimeOffset start, DateTimeOffset end, TimeSpan interval, int perSeries, int senders)
    {
        var steps = (int)((end - start) / interval);
        var random = new Random(42);
        var values = keys.Select(_ => Math.Round(random.NextDouble() * 1e5, 2)).ToArray();
        var bodies = new List<byte[][]>();
        for (var first = 0; first < steps; first += perSeries)
        {
            var n = Math.Min(perSeries, steps - first);
            var batch = new List<SeriesData>(keys.Count);
            for (var k = 0; k < keys.Count; k++)
            {
                var s = new Sample[n];
                for (var i = 0; i < n; i++)
                {
                    // node_cpu_seconds_total-like: a counter growing by up to the interval, with 10 ms resolution.
                    values[k] = Math.Round(values[k] + random.NextDouble() * interval.TotalSeconds, 2);
                    s[i] = new Sample(start + interval * (first + i), values[k]);
                }
                batch.Add(new SeriesData(keys[k], s));
            }
            bodies.Add(Enumerable.Range(0, senders).Select(j => RemoteWriteEncoder.Encode(batch.Where((_, k) => k % senders == j).ToList())).ToArray());
        }
        return bodies;
    }

    private sealed class Receiver(string name, Process process, Uri baseUrl, string dataDir) : IDisposable
    {
        public string Name { get; } = name;
        public Process Process { get; } = process;
        public Uri BaseUrl { get; } = baseUrl;
        public string DataDir { get; } = dataDir;
        public double PerWallSecond { get; set; }
        public double PerCpuSecond { get; set; }
        public double SteadyPerCpuSecond { get; set; }
        public double BytesPerSample { get; set; }
        public double PeakRssKiB { get; set; }
        public Func<string>? Blocks { get; set; }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
            }
            Process.Dispose();
        }
    }

    private static async Task<Receiver> RunPrometheus(string binary, string dir, List<byte[][]> bodies, long samples)
    {
        Directory.CreateDirectory(dir);
        var port = FreePort();
        var config = Path.Combine(dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, "global:\n  scrape_interval: 1h\nscrape_configs: []\n");
        var data = Path.Combine(dir, "data");
        var process = Start(binary, [$"--config.file={config}", $"--storage.tsdb.path={data}", $"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-remote-write-receiver", "--storage.tsdb.retention.time=30d", "--log.level=error"]);
        var r = new Receiver(FirstLine(binary, "--version"), process, new Uri($"http://127.0.0.1:{port}/"), data);
        await WaitReady(new Uri(r.BaseUrl, "-/ready"), process);
        await Ingest(r, bodies, samples, null);
        // Let the last head compaction settle before measuring the disk, as a running Prometheus would.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var bytes = DirBytes(data);
        r.BytesPerSample = bytes / (double)samples;
        Report(r, samples, $"{bytes / 1048576.0:F1} MiB allocated in {data} (blocks + WAL + head chunks, Prometheus still running)");
        // Compacted blocks alone (what the data costs once the head is cut): bytes of the block folders over the samples
        // their meta.json counts. Compaction goes on in the background, so this is read again after the Auspex run.
        r.Blocks = () => BlockBytesPerSample(data);
        return r;
    }

    private static async Task<Receiver> RunAuspex(string dir, List<byte[][]> bodies, long samples)
    {
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "topology.yaml"), """
            version: 1
            tenant: default
            tiers:
              - {name: standard, provider: onprem, price_per_hour: 0.40, performance_factor: 1.0, preemption_probability_per_hour: 0.0, provisioning_lead_time: 10m}
            regions:
              - id: r1
                zones:
                  - id: z1
                    racks:
                      - id: k1
                        hosts:
                          - {id: h1, tier: standard, capacity: {cpu: 4, memory: 16Gi}}
            """);
        var hash = Auspex.Server.Auth.ApiKey.Hash(Token);
        var config = Path.Combine(dir, "auspex.yaml");
        await File.WriteAllTextAsync(config, $"data_dir: data\ntopology: topology.yaml\nloop: {{interval: 1d}}\nauth:\n  keys:\n    - {{name: bench, role: operator, tenant: default, token_sha256: {hash}}}\n");
        var port = FreePort();
        // The child runs with the JIT setting `auspex serve` ships with (Auspex.Cli.csproj: TieredCompilation=false);
        // --serve-jit tiered runs it with .NET's default tiered JIT instead.
        var env = ServeJitTiered ? null : new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "0" };
        var process = Start(Environment.ProcessPath!, ["--serve-auspex", config, port.ToString(CultureInfo.InvariantCulture)], stdin: true, env: env);
        var r = new Receiver("auspex serve", process, new Uri($"http://127.0.0.1:{port}/"), Path.Combine(dir, "data"));
        await WaitReady(new Uri(r.BaseUrl, "livez"), process);
        await Ingest(r, bodies, samples, Token);
        // A clean stop checkpoints DuckDB's WAL into the file: the steady-state size.
        await process.StandardInput.WriteLineAsync("stop");
        await process.StandardInput.FlushAsync();
        if (!process.WaitForExit(300_000))
        {
            throw new TimeoutException("auspex did not stop within 5 minutes");
        }
        var bytes = DirBytes(r.DataDir);
        r.BytesPerSample = bytes / (double)samples;
        Report(r, samples, $"{bytes / 1048576.0:F1} MiB allocated in {r.DataDir} (after a clean stop)");
        return r;
    }

    private static void Report(Receiver r, long samples, string disk) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Name}: ingest {r.PerWallSecond / 1e3:F1} k samples/s wall, {r.PerCpuSecond / 1e3:F1} k samples per CPU-second of the receiver; " +
            $"peak RSS {r.PeakRssKiB / 1024:F0} MiB; {r.BytesPerSample:F2} B/sample on disk ({disk})"));

    private static async Task Ingest(Receiver r, List<byte[][]> bodies, long samples, string? token)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        var url = new Uri(r.BaseUrl, "api/v1/write");
        var cpu0 = CpuSeconds(r.Process.Id);
        var sw = Stopwatch.StartNew();
        var retries = 0;
        async Task Send(byte[] body)
        {
            while (true)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                content.Headers.ContentEncoding.Add("snappy");
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
                request.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
                if (token is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }
                using var response = await http.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Interlocked.Increment(ref retries);
                    await Task.Delay(100);
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"{r.Name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
                break;
            }
        }
        // The second half of the stream alone as well: the receiver's steady state, after .NET's tiered JIT has
        // compiled the hot path (Prometheus, a Go binary, has no warm-up).
        var half = bodies.Count / 2;
        double cpuHalf = 0, wallHalf = 0;
        for (var i = 0; i < bodies.Count; i++)
        {
            if (i == half)
            {
                cpuHalf = CpuSeconds(r.Process.Id);
                wallHalf = sw.Elapsed.TotalSeconds;
            }
            await Task.WhenAll(bodies[i].Select(Send));
        }
        var seconds = sw.Elapsed.TotalSeconds;
        var cpuEnd = CpuSeconds(r.Process.Id);
        var cpu = cpuEnd - cpu0;
        r.PerWallSecond = samples / seconds;
        r.PerCpuSecond = samples / cpu;
        var secondHalf = samples * (bodies.Count - half) / (double)bodies.Count;
        r.SteadyPerCpuSecond = secondHalf / (cpuEnd - cpuHalf);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Name}: second half of the stream alone (steady state): {r.SteadyPerCpuSecond / 1e3:F1} k samples per CPU-second, {secondHalf / (seconds - wallHalf) / 1e3:F1} k/s wall"));
        r.PeakRssKiB = PeakRssKiB(r.Process.Id);
        if (retries > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Name}: {retries} requests answered 429 and retried"));
        }
    }

    private static async Task PrometheusQuery(Receiver prom, DateTimeOffset start, DateTimeOffset end, int runs, int seriesCount, double days)
    {
        using var http = new HttpClient { BaseAddress = prom.BaseUrl, Timeout = TimeSpan.FromMinutes(5) };
        var inv = CultureInfo.InvariantCulture;
        foreach (var query in new[] { "node_cpu_seconds_total", "avg_over_time(node_cpu_seconds_total[5m])" })
        {
            var url = $"api/v1/query_range?query={Uri.EscapeDataString(query)}&start={start.ToUnixTimeSeconds()}&end={(end - TimeSpan.FromMinutes(5)).ToUnixTimeSeconds()}&step=300";
            var points = 0;
            var times = await Median(runs, async () =>
            {
                var body = await http.GetStringAsync(url);
                using var doc = JsonDocument.Parse(body);
                var result = doc.RootElement.GetProperty("data").GetProperty("result");
                points = result.EnumerateArray().Sum(s => s.GetProperty("values").GetArrayLength());
                if (result.GetArrayLength() != seriesCount)
                {
                    throw new InvalidOperationException($"prometheus returned {result.GetArrayLength()} series, expected {seriesCount}");
                }
            });
            Console.WriteLine(string.Create(inv, $"{prom.Name} query_range '{query}' {seriesCount} series × {days:0.#} days step 5m ({points:N0} points, HTTP+JSON on loopback): median {times.Median:F0} ms (runs {string.Join(", ", times.All.Select(t => t.ToString("F0", inv)))} ms)"));
        }
    }

    private static async Task<(double Median, List<double> All)> Median(int runs, Func<Task> action)
    {
        await action(); // warm-up
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            await action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        var sorted = times.Order().ToList();
        return (sorted[sorted.Count / 2], times);
    }

    /// <summary>The --serve-auspex child: the runtime and server `auspex serve` runs, until a line arrives on stdin.</summary>
    public static async Task<int> ServeAsync(string config, int port)
    {
        var loaded = ConfigFile.Load(config);
        if (loaded.Settings is not { } settings)
        {
            await Console.Error.WriteLineAsync(string.Join("\n", loaded.Errors));
            return 2;
        }
        await using var runtime = await AuspexRuntime.StartAsync(settings);
        var auth = new Auspex.Server.Auth.AuthOptions
        {
            Keys = settings.ApiKeys.Select(k => new Auspex.Server.Auth.ApiKey(k.Name, Enum.Parse<Auspex.Server.Auth.Role>(k.Role, ignoreCase: true), k.Tenant, k.TokenSha256)).ToList(),
        };
        var app = AuspexServer.Build(runtime, new ServerOptions { Port = port }, quiet: true, auth: auth);
        await app.StartAsync();
        await Console.In.ReadLineAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        return 0;
    }

    private static Process Start(string binary, string[] args, bool stdin = false, Dictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = stdin };
        foreach (var (k, v) in env ?? [])
        {
            psi.Environment[k] = v;
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 })
            {
                Console.Error.WriteLine($"[{Path.GetFileName(binary)}] {e.Data}");
            }
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task WaitReady(Uri url, Process process)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; i < 600; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{url.Host}:{url.Port} exited with code {process.ExitCode} before it was ready");
            }
            try
            {
                if ((await http.GetAsync(url)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{url} not ready after 2 minutes");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Bytes allocated on disk under <paramref name="dir"/> (du: sparse, preallocated files count what they use).</summary>
    private static long DirBytes(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return 0;
        }
        var psi = new ProcessStartInfo("du", ["-sk", dir]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return long.Parse(text.Split('\t')[0], CultureInfo.InvariantCulture) * 1024;
    }

    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static double PeakRssKiB(int pid)
    {
        var line = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return double.Parse(line.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static string FirstLine(string binary, string arg)
    {
        var psi = new ProcessStartInfo(binary, arg) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return text.Split('\n')[0].Trim();
    }
}
