using System.Diagnostics;
using System.Globalization;
using Auspex.Core.Series;
using Auspex.Storage;
using Auspex.Storage.PromQl;

namespace Auspex.Bench.Ingestion;

/// <summary>
/// The Prometheus-compatible API's evaluator on the 7-day, 1,000-series case: <c>avg_over_time(x[1h])</c> as a
/// query_range at step 1 h, through <see cref="PromQlEngine"/> over the embedded store (what
/// <c>/prometheus/api/v1/query_range</c> runs, without HTTP and JSON), split into the store's raw read and the
/// evaluation over data already in memory. Median of several runs after one warm-up.
/// </summary>
internal static class PromQlBench
{
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
        var interval = TimeSpan.FromSeconds(double.Parse(Arg("--interval-seconds", "300"), inv));
        var runs = int.Parse(Arg("--runs", "5"), inv);
        const string Query = "avg_over_time(node_cpu_seconds_total[1h])";

        var dir = Path.Combine(Path.GetTempPath(), "auspex-promql-bench-" + Environment.ProcessId.ToString(inv));
        Directory.CreateDirectory(dir);
        try
        {
            var storeOptions = new StorageOptions { DatabasePath = Path.Combine(dir, "bench.duckdb") };
            // --block-cache-bytes N sets StorageOptions.DecodedBlockCacheBytes (0: every read decodes from DuckDB's BLOBs).
            // Set by name so that the same bench builds against a base without the option (where it is ignored).
            if (Array.IndexOf(args, "--block-cache-bytes") >= 0)
            {
                var prop = typeof(StorageOptions).GetProperty("DecodedBlockCacheBytes");
                prop?.SetValue(storeOptions, long.Parse(Arg("--block-cache-bytes", "0"), inv));
                Console.WriteLine(prop is null ? "(--block-cache-bytes: this build has no decoded-block cache)" : $"decoded-block cache: {prop.GetValue(storeOptions)} bytes");
            }
            // --duckdb-threads N sets StorageOptions.DuckDbThreads (by name too: ignored by a base without it).
            if (Array.IndexOf(args, "--duckdb-threads") >= 0)
            {
                var prop = typeof(StorageOptions).GetProperty("DuckDbThreads");
                prop?.SetValue(storeOptions, int.Parse(Arg("--duckdb-threads", "0"), inv));
                Console.WriteLine(prop is null ? "(--duckdb-threads: this build has no such option)" : $"DuckDB threads: {prop.GetValue(storeOptions)}");
            }
            // --layouts duckdb,segments (with --cold): the store is written with raw blocks in DuckDB (the layout before
            // segment files), then copied and opened with segment files (moving the blocks over once), and the cold
            // query alternates between the two copies run by run. Set by name, so the bench still builds against a base.
            var layouts = Arg("--layouts", "").Split(',', StringSplitOptions.RemoveEmptyEntries);
            var layoutProp = typeof(StorageOptions).GetProperty("RawBlockLayout");
            // --read-paths arrays,streamed: the evaluator's raw read for range functions, side by side in one process —
            // typed arrays of every series first (the path before, PromQlOptions.StreamRangeFunctions = false), or the
            // function evaluated per series while the store streams it (the default).
            var readPaths = Arg("--read-paths", "").Split(',', StringSplitOptions.RemoveEmptyEntries);
            foreach (var rp in readPaths)
            {
                if (rp is not ("arrays" or "streamed"))
                {
                    throw new ArgumentException($"--read-paths: unknown read path '{rp}' (arrays, streamed)");
                }
            }
            // --raw-read-threads N sets StorageOptions.RawReadThreads (0: one per core).
            if (Array.IndexOf(args, "--raw-read-threads") >= 0)
            {
                storeOptions.RawReadThreads = int.Parse(Arg("--raw-read-threads", "0"), inv);
                Console.WriteLine($"raw read threads: {storeOptions.RawReadThreads}");
            }
            if (layouts.Length > 0)
            {
                if (layoutProp is null)
                {
                    Console.WriteLine("(--layouts: this build has one raw-block layout only)");
                    layouts = [];
                }
                else
                {
                    layoutProp.SetValue(storeOptions, Enum.Parse(layoutProp.PropertyType, "DuckDb"));
                }
            }
            using var store = AuspexStorage.OpenEmbedded(storeOptions);
            var tenant = new TenantId("bench");
            var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
            var end = start + TimeSpan.FromDays(days);
            var perSeries = (int)((end - start) / interval);
            var rng = new Random(42);
            var keys = Enumerable.Range(0, seriesCount).Select(i => new SeriesKey("node_cpu_seconds_total",
                Labels.Of("cpu", (i % 8).ToString(inv), "instance", $"node-{i / 8:D4}:9100", "job", "node", "mode", "user"))).ToList();
            var sw = Stopwatch.StartNew();
            var values = new double[seriesCount];
            // One commit per day of data (seriesCount × samples per day).
            var perDay = (int)(TimeSpan.FromDays(1) / interval);
            for (var day = 0; day * perDay < perSeries; day++)
            {
                await using var app = store.Series.BeginAppend(tenant);
                for (var s = 0; s < seriesCount; s++)
                {
                    for (var j = day * perDay; j < Math.Min(perSeries, (day + 1) * perDay); j++)
                    {
                        values[s] += Math.Round(rng.NextDouble() * 3, 2);
                        app.Add(keys[s], start + (interval * j), values[s]);
                    }
                }
                var r = await app.CommitAsync();
                if (!r.Ok)
                {
                    Console.Error.WriteLine(string.Join("\n", r.Errors));
                    return 1;
                }
            }
            Console.WriteLine(string.Create(inv, $"# PromQL bench — {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            Console.WriteLine(string.Create(inv, $"wrote {seriesCount} series × {days:0.#} days every {interval.TotalSeconds:0} s = {(long)seriesCount * perSeries:N0} samples in {sw.Elapsed.TotalSeconds:F1} s"));

            sw.Restart();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            await store.Series.RollupAsync(end + TimeSpan.FromHours(1));
            var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
            Console.WriteLine(string.Create(inv, $"rollup pass (5 m and 1 h buckets) in {sw.Elapsed.TotalSeconds:F1} s ({(cpu1 - cpu0).TotalSeconds:F1} CPU-s)"));
            var forceRaw = args.Contains("--raw-only");
            if (args.Contains("--cold"))
            {
                store.Dispose();
                var sides = new List<(string Name, StorageOptions Options)>();
                if (layouts.Length == 0)
                {
                    storeOptions.RawBlockLayout = RawBlockLayout.SegmentFiles;
                    sides.Add(("store", storeOptions));
                }
                foreach (var name in layouts)
                {
                    var sideDir = Path.Combine(dir, name);
                    Directory.CreateDirectory(sideDir);
                    foreach (var f in Directory.GetFiles(dir, "bench.duckdb*"))
                    {
                        File.Copy(f, Path.Combine(sideDir, Path.GetFileName(f)));
                    }
                    var o = new StorageOptions { DatabasePath = Path.Combine(sideDir, "bench.duckdb"), DuckDbThreads = storeOptions.DuckDbThreads, DecodedBlockCacheBytes = storeOptions.DecodedBlockCacheBytes, RawReadThreads = storeOptions.RawReadThreads };
                    layoutProp!.SetValue(o, Enum.Parse(layoutProp.PropertyType, name switch
                    {
                        "duckdb" => "DuckDb",
                        "segments" => "SegmentFiles",
                        _ => throw new ArgumentException($"--layouts: unknown layout '{name}' (duckdb, segments)"),
                    }));
                    sw.Restart();
                    using (var first = AuspexStorage.OpenEmbedded(o))
                    {
                        Console.WriteLine(string.Create(inv, $"{name}: first open {sw.Elapsed.TotalSeconds:F1} s{(first.SegmentRecovery is { } note ? " — " + note : "")}"));
                    }
                    var files = Directory.GetFiles(sideDir, "*", SearchOption.AllDirectories);
                    Console.WriteLine(string.Create(inv, $"{name}: {files.Length} files, {files.Sum(f => new FileInfo(f).Length) / 1048576.0:F1} MiB on disk ({files.Count(f => f.EndsWith(".seg", StringComparison.Ordinal))} segment files, {files.Where(f => f.EndsWith(".seg", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length) / 1048576.0:F1} MiB)"));
                    sides.Add((name, o));
                }
                // Every layout with every read path asked for (default: the evaluator's default path only).
                var withPaths = readPaths.Length == 0
                    ? sides.Select(x => (x.Name, x.Options, Streamed: new PromQlOptions().StreamRangeFunctions)).ToList()
                    : sides.SelectMany(x => readPaths.Select(rp => ($"{x.Name}/{rp}", x.Options, Streamed: rp == "streamed"))).ToList();
                return await ColdAsync(withPaths, tenant, start + TimeSpan.FromHours(1), end - interval, runs, seriesCount);
            }

            var qStart = start + TimeSpan.FromHours(1);
            var qEnd = end - interval;
            var options = new PromQlOptions { MaxSeries = seriesCount, MaxSamples = 10_000_000, UseRollups = false };
            var rollupOptions = new PromQlOptions { MaxSeries = seriesCount, MaxSamples = 10_000_000 };
            var source = new StoreSeriesSource(store.Series, tenant);
            PromQueryResult? last = null;
            // Raw path first (UseRollups = false), then the rollup path on the same store, and the largest difference.
            var full = await Median(runs, async () => last = await new PromQlEngine(source, options).RangeQueryAsync(Query, qStart, qEnd, TimeSpan.FromHours(1)));
            if (!forceRaw)
            {
                PromQueryResult? rolled = null;
                var viaRollups = await Median(runs, async () => rolled = await new PromQlEngine(source, rollupOptions).RangeQueryAsync(Query, qStart, qEnd, TimeSpan.FromHours(1)));
                var maxRel = 0.0;
                var samePoints = rolled!.Series.Count == last!.Series.Count;
                for (var i = 0; samePoints && i < last.Series.Count; i++)
                {
                    samePoints = last.Series[i].Points.Count == rolled.Series[i].Points.Count;
                    for (var k = 0; samePoints && k < last.Series[i].Points.Count; k++)
                    {
                        var (a, b) = (last.Series[i].Points[k], rolled.Series[i].Points[k]);
                        samePoints = a.TimestampMs == b.TimestampMs;
                        maxRel = Math.Max(maxRel, Math.Abs(a.Value - b.Value) / Math.Max(1e-300, Math.Abs(a.Value)));
                    }
                }
                Console.WriteLine(string.Create(inv, $"query_range '{Query}' step 1h through the evaluator, side by side:"));
                Console.WriteLine(string.Create(inv, $"  raw path (--raw-only / UseRollups = false): median {full.Median:F0} ms wall, {full.Cpu:F0} ms CPU (runs {string.Join(", ", full.All.Select(t => t.ToString("F0", inv)))} ms)"));
                Console.WriteLine(string.Create(inv, $"  rollup path (rollup_1h + samples on the steps): median {viaRollups.Median:F0} ms wall, {viaRollups.Cpu:F0} ms CPU (runs {string.Join(", ", viaRollups.All.Select(t => t.ToString("F0", inv)))} ms), {full.Median / viaRollups.Median:F1}x faster"));
                Console.WriteLine(string.Create(inv, $"  same series and timestamps: {samePoints}; largest relative value difference {maxRel:G3}"));
            }
            // A query no rollup can answer: rate() needs every raw sample of the 7 days (read from the packed blocks).
            const string RateQuery = "rate(node_cpu_seconds_total[1h])";
            PromQueryResult? rated = null;
            var warmPaths = readPaths.Length == 0 ? ["default"] : readPaths;
            // The paths alternate run by run (after one warm-up each), so load drifts hit both alike.
            var warmOptions = warmPaths.Select(rp => new PromQlOptions { MaxSeries = seriesCount, MaxSamples = 10_000_000, StreamRangeFunctions = rp == "default" ? new PromQlOptions().StreamRangeFunctions : rp == "streamed" }).ToList();
            var warmWall = warmPaths.Select(_ => new List<double>()).ToList();
            var warmCpu = warmPaths.Select(_ => new List<double>()).ToList();
            var warmSum = new double[warmPaths.Length];
            using (var self = Process.GetCurrentProcess())
            {
                for (var run = 0; run <= runs; run++)
                {
                    for (var k = 0; k < warmPaths.Length; k++)
                    {
                        self.Refresh();
                        var c0 = self.TotalProcessorTime;
                        var sw2 = Stopwatch.StartNew();
                        rated = await new PromQlEngine(source, warmOptions[k]).RangeQueryAsync(RateQuery, qStart, qEnd, TimeSpan.FromHours(1));
                        var wall = sw2.Elapsed.TotalMilliseconds;
                        self.Refresh();
                        if (run > 0)
                        {
                            warmWall[k].Add(wall);
                            warmCpu[k].Add((self.TotalProcessorTime - c0).TotalMilliseconds);
                        }
                        warmSum[k] = rated.Series.Sum(x => x.Points.Sum(p => p.Value));
                    }
                }
            }
            static double Mid(List<double> xs) => xs.Order().ToList()[xs.Count / 2];
            for (var k = 0; k < warmPaths.Length; k++)
            {
                Console.WriteLine(string.Create(inv, $"query_range '{RateQuery}' step 1h through the evaluator, repeated on one store (decoded-block cache warm), read path {warmPaths[k]} (raw samples only; {rated!.Series.Count} series × {rated.Series.Sum(s => s.Points.Count) / Math.Max(1, rated.Series.Count)} points out, sum of all points {warmSum[k]:R}): median {Mid(warmWall[k]):F0} ms wall, {Mid(warmCpu[k]):F0} ms CPU, min {warmWall[k].Min():F0} / {warmCpu[k].Min():F0} (runs {string.Join(", ", warmWall[k].Select(t => t.ToString("F0", inv)))} ms; CPU {string.Join(", ", warmCpu[k].Select(t => t.ToString("F0", inv)))})"));
            }
            if (warmPaths.Length > 1)
            {
                Console.WriteLine(string.Create(inv, $"  ratio {warmPaths[^1]} / {warmPaths[0]} (medians): {Mid(warmWall[^1]) / Mid(warmWall[0]):F2}× wall, {Mid(warmCpu[^1]) / Mid(warmCpu[0]):F2}× CPU; same sum of all points: {warmSum.All(x => x == warmSum[0])}; load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            }
            // What that rate() costs, split: the typed-array raw read the evaluator asks for, and the evaluation over
            // those arrays already in memory.
            IReadOnlyList<RawSeriesArrays>? arrays = null;
            var arrayRead = await Median(runs, async () => arrays = await source.ReadArraysAsync([LabelMatcher.Eq("__name__", "node_cpu_seconds_total")], qStart.ToUnixTimeMilliseconds() - 3_600_000, qEnd.ToUnixTimeMilliseconds(), default));
            var inMemory = new ArraySource(arrays!);
            var rateEval = await Median(runs, async () => await new PromQlEngine(inMemory, rollupOptions).RangeQueryAsync(RateQuery, qStart, qEnd, TimeSpan.FromHours(1)));
            Console.WriteLine(string.Create(inv, $"  of which the typed-array raw read ({arrays!.Sum(a => a.T.Length):N0} samples): median {arrayRead.Median:F0} ms wall, {arrayRead.Cpu:F0} ms CPU (runs {string.Join(", ", arrayRead.All.Select(t => t.ToString("F0", inv)))} ms)"));
            Console.WriteLine(string.Create(inv, $"  rate() evaluation alone (typed arrays in memory): median {rateEval.Median:F0} ms wall, {rateEval.Cpu:F0} ms CPU (runs {string.Join(", ", rateEval.All.Select(t => t.ToString("F0", inv)))} ms)"));
            // The store's own reads of the whole range, in-process: 5-minute rollups (the store bench's query) and raw.
            var all = new[] { LabelMatcher.Eq("__name__", "node_cpu_seconds_total") };
            var storePoints = 0;
            var five = await Median(runs, async () => storePoints = (await store.Series.ReadAsync(tenant, all, new TimeRange(start, end), Resolution.FiveMinutes)).Sum(s => s.Samples.Count));
            Console.WriteLine(string.Create(inv, $"store read, {seriesCount} series × {days:0.#} days at 5m ({storePoints:N0} points, ReadAsync in-process): median {five.Median:F0} ms wall, {five.Cpu:F0} ms CPU (runs {string.Join(", ", five.All.Select(t => t.ToString("F0", inv)))} ms)"));
            var rawRead = await Median(runs, async () => storePoints = (await store.Series.ReadAsync(tenant, all, new TimeRange(start, end), Resolution.Raw)).Sum(s => s.Samples.Count));
            Console.WriteLine(string.Create(inv, $"store read, {seriesCount} series × {days:0.#} days raw ({storePoints:N0} samples, ReadAsync in-process): median {rawRead.Median:F0} ms wall, {rawRead.Cpu:F0} ms CPU (runs {string.Join(", ", rawRead.All.Select(t => t.ToString("F0", inv)))} ms)"));
            var points = last!.Series.Sum(s => s.Points.Count);
            IReadOnlyList<SeriesData>? raw = null;
            var read = await Median(runs, async () => raw = await source.ReadAsync([LabelMatcher.Eq("__name__", "node_cpu_seconds_total")], qStart - TimeSpan.FromHours(1), qEnd, default));
            var rawSamples = raw!.Sum(s => s.Samples.Count);
            var memory = new MemorySource(raw!);
            var eval = await Median(runs, async () => await new PromQlEngine(memory, options).RangeQueryAsync(Query, qStart, qEnd, TimeSpan.FromHours(1)));
            Console.WriteLine(string.Create(inv, $"query_range '{Query}' step 1h, {seriesCount} series × {days:0.#} days ({rawSamples:N0} raw samples read, {last.Series.Count} series × {points / Math.Max(1, last.Series.Count)} points out):"));
            Console.WriteLine(string.Create(inv, $"  through the evaluator over the store: median {full.Median:F0} ms wall, {full.Cpu:F0} ms CPU (runs {string.Join(", ", full.All.Select(t => t.ToString("F0", inv)))} ms)"));
            Console.WriteLine(string.Create(inv, $"  of which the store's raw read:        median {read.Median:F0} ms wall, {read.Cpu:F0} ms CPU (runs {string.Join(", ", read.All.Select(t => t.ToString("F0", inv)))} ms)"));
            Console.WriteLine(string.Create(inv, $"  evaluation alone (data in memory):    median {eval.Median:F0} ms wall, {eval.Cpu:F0} ms CPU (runs {string.Join(", ", eval.All.Select(t => t.ToString("F0", inv)))} ms)"));
            // Size on disk after a clean close: the whole file (DuckDB keeps freed blocks for reuse, so this is a
            // high-water mark) and, when the store has packed blocks, the bytes of the BLOBs themselves.
            store.Dispose();
            var dbFile = Path.Combine(dir, "bench.duckdb");
            var fileBytes = new FileInfo(dbFile).Length;
            var total = (double)seriesCount * perSeries;
            var blobs = "";
            using (var db = new DuckDB.NET.Data.DuckDBConnection("Data Source=" + dbFile))
            {
                db.Open();
                using var cmd = db.CreateCommand();
                cmd.CommandText = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'block_raw'";
                if (Convert.ToInt64(cmd.ExecuteScalar(), inv) > 0)
                {
                    cmd.CommandText = "SELECT (SELECT coalesce(sum(octet_length(data)), 0) FROM block_raw)::BIGINT, (SELECT coalesce(sum(octet_length(data)), 0) FROM block_5m)::BIGINT, (SELECT coalesce(sum(octet_length(data)), 0) FROM block_1h)::BIGINT, (SELECT count(*) FROM samples)::BIGINT";
                    using var r = cmd.ExecuteReader();
                    r.Read();
                    blobs = string.Create(inv, $"; packed BLOBs: raw {r.GetInt64(0) / total:F2} B/sample, 5m buckets {r.GetInt64(1) / total:F2} B/sample, 1h buckets {r.GetInt64(2) / total:F2} B/sample ({r.GetInt64(3):N0} samples still unpacked)");
                }
            }
            Console.WriteLine(string.Create(inv, $"on disk after close: database file {fileBytes / total:F2} B/sample ({fileBytes / 1048576.0:F1} MiB){blobs}"));
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// The honest first query: per run the store is opened afresh (empty decoded-block cache, a new DuckDB instance with
    /// an empty buffer pool; the file is in the OS page cache), <c>rate(x[1h])</c> runs once (cold), then once more on
    /// the same store (warm). Run 1 is also the process' first query (JIT included) and is reported apart. A second
    /// reopen per run splits the cold query into series lookup, typed-array read and evaluation.
    /// </summary>
    private static async Task<int> ColdAsync(List<(string Name, StorageOptions Options, bool Streamed)> sides, TenantId tenant, DateTimeOffset qStart, DateTimeOffset qEnd, int runs, int seriesCount)
    {
        var inv = CultureInfo.InvariantCulture;
        const string RateQuery = "rate(node_cpu_seconds_total[1h])";
        var matchers = new[] { LabelMatcher.Eq("__name__", "node_cpu_seconds_total") };
        using var self = Process.GetCurrentProcess();
        (double Wall, double Cpu) Time(Action a)
        {
            self.Refresh();
            var c0 = self.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            a();
            var wall = sw.Elapsed.TotalMilliseconds;
            self.Refresh();
            return (wall, (self.TotalProcessorTime - c0).TotalMilliseconds);
        }
        var names = new[] { "open store            ", "first query (cold)    ", "second query (warm)   ", "cold: FindSeries      ", "cold: raw read only   ", "rate() over arrays    " };
        var m = sides.Select(_ => names.Select(_ => new List<(double Wall, double Cpu)>()).ToArray()).ToArray();
        var gcs = sides.Select(_ => new List<int>()).ToArray();
        var gc2 = sides.Select(_ => new List<int>()).ToArray();
        var pauses = sides.Select(_ => new List<double>()).ToArray();
        var outSeries = new int[sides.Count];
        var checksum = new double[sides.Count];
        // Run by run, side by side: each run opens every side afresh in turn, so load drifts hit all sides alike.
        for (var run = 0; run <= runs; run++)
        {
            for (var k = 0; k < sides.Count; k++)
            {
                var storeOptions = sides[k].Options;
                var options = new PromQlOptions { MaxSeries = seriesCount, MaxSamples = 10_000_000, StreamRangeFunctions = sides[k].Streamed };
                var x = m[k];
                EmbeddedStore? st = null;
                x[0].Add(Time(() => st = AuspexStorage.OpenEmbedded(storeOptions)));
                using (st)
                {
                    var src = new StoreSeriesSource(st!.Series, tenant);
                    var g0 = GC.CollectionCount(0);
                    var g2 = GC.CollectionCount(2);
                    var p0 = GC.GetTotalPauseDuration();
                    x[1].Add(Time(() =>
                    {
                        var res = new PromQlEngine(src, options).RangeQueryAsync(RateQuery, qStart, qEnd, TimeSpan.FromHours(1)).GetAwaiter().GetResult();
                        outSeries[k] = res.Series.Count;
                        checksum[k] = res.Series.Sum(s => s.Points.Sum(p => p.Value));
                    }));
                    gcs[k].Add(GC.CollectionCount(0) - g0);
                    gc2[k].Add(GC.CollectionCount(2) - g2);
                    pauses[k].Add((GC.GetTotalPauseDuration() - p0).TotalMilliseconds);
                    x[2].Add(Time(() => new PromQlEngine(src, options).RangeQueryAsync(RateQuery, qStart, qEnd, TimeSpan.FromHours(1)).GetAwaiter().GetResult()));
                }
                using (var st2 = AuspexStorage.OpenEmbedded(storeOptions))
                {
                    var src = new StoreSeriesSource(st2.Series, tenant);
                    x[3].Add(Time(() => src.FindSeriesAsync(matchers, default).GetAwaiter().GetResult()));
                    // The raw read alone: typed arrays (array path), or the stream with a visitor that only counts (streamed).
                    IReadOnlyList<RawSeriesArrays>? arrays = null;
                    if (sides[k].Streamed)
                    {
                        x[4].Add(Time(() => src.StreamArraysAsync(matchers, qStart.ToUnixTimeMilliseconds() - 3_600_000, qEnd.ToUnixTimeMilliseconds(), new CountingVisitor(), default).GetAwaiter().GetResult()));
                    }
                    else
                    {
                        // rate() over arrays already in memory: on the array side only (a streamed side reading 32 MB of
                        // arrays here would load the GC for its own next query).
                        x[4].Add(Time(() => arrays = src.ReadArraysAsync(matchers, qStart.ToUnixTimeMilliseconds() - 3_600_000, qEnd.ToUnixTimeMilliseconds(), default).GetAwaiter().GetResult()));
                        var mem = new ArraySource(arrays!);
                        x[5].Add(Time(() => new PromQlEngine(mem, options).RangeQueryAsync(RateQuery, qStart, qEnd, TimeSpan.FromHours(1)).GetAwaiter().GetResult()));
                    }
                }
                await Task.Yield();
            }
        }
        static double Med(IEnumerable<double> xs)
        {
            var l = xs.Order().ToList();
            return l[l.Count / 2];
        }
        string Line(string what, List<(double Wall, double Cpu)> xs)
        {
            var rest = xs.Skip(1).ToList();
            return string.Create(inv, $"  {what}: median {Med(rest.Select(x => x.Wall)):F0} ms wall, {Med(rest.Select(x => x.Cpu)):F0} ms CPU, min {rest.Min(x => x.Wall):F0} / {rest.Min(x => x.Cpu):F0} (runs {string.Join(", ", rest.Select(x => x.Wall.ToString("F0", inv)))} ms; CPU {string.Join(", ", rest.Select(x => x.Cpu.ToString("F0", inv)))}); process-first {xs[0].Wall:F0} ms wall, {xs[0].Cpu:F0} ms CPU");
        }
        Console.WriteLine(string.Create(inv, $"cold '{RateQuery}' step 1h; every store reopened before each run ({runs} runs after the process' first; sides alternate run by run; load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]}):"));
        for (var k = 0; k < sides.Count; k++)
        {
            Console.WriteLine(string.Create(inv, $"[{sides[k].Name}] {outSeries[k]} series out, sum of all points {checksum[k]:R}"));
            for (var j = 0; j < names.Length; j++)
            {
                if (m[k][j].Count > 1)
                {
                    Console.WriteLine(Line(names[j], m[k][j]));
                }
            }
            Console.WriteLine(string.Create(inv, $"  during the cold query: gen-0 collections {string.Join(", ", gcs[k].Skip(1))}; gen-2 {string.Join(", ", gc2[k].Skip(1))}; GC pauses {string.Join(", ", pauses[k].Skip(1).Select(p => p.ToString("F0", inv)))} ms (GC latency mode: {System.Runtime.GCSettings.LatencyMode}, server: {System.Runtime.GCSettings.IsServerGC})"));
        }
        for (var k = 1; k < sides.Count; k++)
        {
            Console.WriteLine(string.Create(inv, $"ratios {sides[k].Name} / {sides[0].Name} (medians, wall / CPU):"));
            for (var j = 0; j < names.Length; j++)
            {
                var a = m[0][j].Skip(1).ToList();
                var b = m[k][j].Skip(1).ToList();
                if (a.Count == 0 || b.Count == 0)
                {
                    continue;
                }
                Console.WriteLine(string.Create(inv, $"  {names[j]}: {Med(b.Select(x => x.Wall)) / Med(a.Select(x => x.Wall)):F2}× / {Med(b.Select(x => x.Cpu)) / Math.Max(1e-9, Med(a.Select(x => x.Cpu))):F2}×"));
            }
        }
        return 0;
    }

    /// <summary>Counts what the store streams, and nothing else (the raw read's own cost on the streamed path).</summary>
    private sealed class CountingVisitor : IRawSeriesVisitor
    {
        private long _samples;

        public void Begin(int seriesCount)
        {
        }

        public void Visit(int index, SeriesKey key, ReadOnlySpan<long> t, ReadOnlySpan<double> v) => Interlocked.Add(ref _samples, t.Length);
    }

    private sealed class MemorySource(IReadOnlyList<SeriesData> data) : IPromSeriesSource
    {
        public Task<IReadOnlyList<SeriesKey>> FindSeriesAsync(IReadOnlyList<LabelMatcher> matchers, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<SeriesKey>>(data.Select(d => d.Key).Where(k => matchers.All(m => m.Matches(k))).ToList());

        public Task<IReadOnlyList<SeriesData>> ReadAsync(IReadOnlyList<LabelMatcher> matchers, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<SeriesData>>(data.Where(d => matchers.All(m => m.Matches(d.Key))).ToList());
    }

    private sealed class ArraySource(IReadOnlyList<RawSeriesArrays> data) : IPromArraySource
    {
        public Task<IReadOnlyList<SeriesKey>> FindSeriesAsync(IReadOnlyList<LabelMatcher> matchers, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<SeriesKey>>(data.Select(d => d.Key).Where(k => matchers.All(m => m.Matches(k))).ToList());

        public Task<IReadOnlyList<RawSeriesArrays>> ReadArraysAsync(IReadOnlyList<LabelMatcher> matchers, long fromMs, long toMs, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<RawSeriesArrays>>(data.Where(d => matchers.All(m => m.Matches(d.Key))).ToList());

        public Task<IReadOnlyList<SeriesData>> ReadAsync(IReadOnlyList<LabelMatcher> matchers, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
            throw new NotSupportedException("the bench reads typed arrays only");
    }

    /// <summary>Median wall time and median CPU time of this process (all threads, DuckDB's included) over the runs, after a warm-up.</summary>
    private static async Task<(double Median, List<double> All, double Cpu, List<double> AllCpu)> Median(int runs, Func<Task> action)
    {
        await action(); // warm-up
        var all = new List<double>();
        var cpu = new List<double>();
        using var self = Process.GetCurrentProcess();
        for (var i = 0; i < runs; i++)
        {
            self.Refresh();
            var c0 = self.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            await action();
            all.Add(sw.Elapsed.TotalMilliseconds);
            self.Refresh();
            cpu.Add((self.TotalProcessorTime - c0).TotalMilliseconds);
        }
        var sorted = all.Order().ToList();
        return (sorted[sorted.Count / 2], all, cpu.Order().ToList()[cpu.Count / 2], cpu);
    }
}
