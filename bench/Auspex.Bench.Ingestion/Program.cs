using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Auspex.Bench.Ingestion;
using Auspex.Core.Series;
using Auspex.Ingestion;
using Auspex.Ingestion.Exposition;
using Auspex.Ingestion.Influx;
using Auspex.Ingestion.RemoteWrite;

// Usage: dotnet run -c Release --project bench/Auspex.Bench.Ingestion -- [--requests N] [--prometheus /usr/bin/prometheus|none]
// Parser throughput per CPU-second on one thread (median of repeated runs), then, when Prometheus is installed, Prometheus 2.x
// receiving the same remote_write payloads over HTTP on loopback.
//        dotnet run -c Release --project bench/Auspex.Bench.Ingestion -- --store [--series 1000] [--days 7] [--interval-seconds 60]
// End to end: `auspex serve` vs Prometheus receiving the same remote_write stream (rate, peak RSS, bytes/sample on disk)
// and the 1,000-series × 7-day range query (StoreBench.cs). Also: --ingest-only (only `auspex serve` receiving the stream),
// --serve-jit tiered (the server child with .NET's default tiered JIT instead of the shipped TieredCompilation=false),
// --stages [--stage-runs 3] (in-process CPU and allocation per sample of each server stage, StageBench.cs).
// --steady-only (only the in-process steady state: hourly packing passes, bytes per closed day, the 7-day 5-minute read
// computed vs stored), --no-steady (the end-to-end bench without it).
if (args.Length >= 3 && args[0] == "--serve-auspex")
{
    return await StoreBench.ServeAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
}
if (args.Contains("--store"))
{
    return await StoreBench.RunAsync(args);
}
// dotnet run -c Release --project bench/Auspex.Bench.Ingestion -- --promql [--series 1000] [--days 7] [--interval-seconds 300] [--runs 5] [--raw-only]
//   [--block-cache-bytes N]: StorageOptions.DecodedBlockCacheBytes for the store (0 = every read decodes from the BLOBs).
//   [--duckdb-threads N]: StorageOptions.DuckDbThreads (0 = DuckDB's default). [--cold]: reopen the store before each run
//   and time rate(x[1h]) cold (empty cache, fresh DuckDB buffer pool) and warm, split into lookup, read and evaluation.
//   [--layouts duckdb,segments] (with --cold): write with raw blocks in DuckDB, copy the store once per layout (opening
//   the copy moves the blocks over), and time the cold query side by side, the layouts alternating run by run.
//   [--read-paths arrays,streamed]: the evaluator's raw read for rate() side by side (PromQlOptions.StreamRangeFunctions
//   false / true), with --cold per layout, and on the repeated (warm) query; [--raw-read-threads N]: StorageOptions.RawReadThreads.
// avg_over_time(x[1h]) query_range at step 1h through the PromQL evaluator over the store (PromQlBench.cs).
if (args.Contains("--promql"))
{
    return await PromQlBench.RunAsync(args);
}
var inv = CultureInfo.InvariantCulture;
string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
var requestCount = int.Parse(Arg("--requests", "200"), inv);
var prometheusPath = Arg("--prometheus", "/usr/bin/prometheus");
var clock = TimeProvider.System;

Console.WriteLine($"# Ingestion bench — {Environment.ProcessorCount} cores, .NET {Environment.Version}, {RuntimeInformationText()}, " +
    $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; rates are per CPU-second of the measured process");

// 1. remote_write decode: Prometheus-shaped requests (2,000 series × 1 sample) and batched ones (200 series × 10 samples).
var keys = Payloads.Keys(20_000);
var start = clock.GetUtcNow().AddMinutes(-50);
foreach (var (seriesPer, samplesPer) in new[] { (2000, 1), (200, 10) })
{
    var requests = Payloads.Requests(keys, seriesPer, samplesPer, requestCount, start, TimeSpan.FromSeconds(15), seed: 1);
    var bodies = requests.Select(RemoteWriteEncoder.Encode).ToList();
    var samples = requests.Sum(r => r.Sum(s => s.Samples.Count));
    var wire = bodies.Sum(b => (long)b.Length);
    var raw = requests.Sum(r => (long)RemoteWriteEncoder.EncodeUncompressed(r).Length);
    var encode = Measure(() =>
    {
        foreach (var r in requests)
        {
            RemoteWriteEncoder.Encode(r);
        }
    });
    var decode = Measure(() =>
    {
        foreach (var b in bodies)
        {
            var result = RemoteWriteDecoder.Decode(b);
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException(result.ErrorMessage);
            }
        }
    });
    var cache = new SeriesKeyCache();
    var cached = Measure(() =>
    {
        foreach (var b in bodies)
        {
            RemoteWriteDecoder.Decode(b, cache: cache);
        }
    });
    Console.WriteLine($"remote_write {seriesPer}x{samplesPer}: {samples:N0} samples in {requests.Count} requests; " +
        $"{(double)wire / samples:F1} B/sample snappy on the wire ({(double)raw / samples:F1} B protobuf); " +
        $"decode {samples / decode.Seconds / 1e6:F2} M samples/s ({decode.Allocated / samples:F0} B allocated/sample), " +
        $"with a warm SeriesKeyCache {samples / cached.Seconds / 1e6:F2} M samples/s ({cached.Allocated / samples:F0} B/sample); " +
        $"encode {samples / encode.Seconds / 1e6:F2} M samples/s");
}

// 2. Exposition text and OpenMetrics.
var text = Payloads.Exposition(families: 200, seriesPerFamily: 50);
var textBytes = Encoding.UTF8.GetBytes(text);
var omBytes = Encoding.UTF8.GetBytes(text + "# EOF\n");
var scrapeTime = clock.GetUtcNow();
var textSamples = ExpositionParser.Parse(textBytes, ExpositionFormat.PrometheusText, scrapeTime).SampleCount;
var textRun = Measure(() => ExpositionParser.Parse(textBytes, ExpositionFormat.PrometheusText, scrapeTime));
var omRun = Measure(() => ExpositionParser.Parse(omBytes, ExpositionFormat.OpenMetrics, scrapeTime));
var expositionCache = new SeriesKeyCache();
var cachedTextRun = Measure(() => ExpositionParser.Parse(textBytes, ExpositionFormat.PrometheusText, scrapeTime, cache: expositionCache));
Console.WriteLine($"exposition: {textSamples:N0} samples, {textBytes.Length / 1024:N0} KiB; text {textSamples / textRun.Seconds / 1e6:F2} M samples/s " +
    $"({textRun.Allocated / textSamples:F0} B allocated/sample), with the scraper's per-target key cache warm " +
    $"{textSamples / cachedTextRun.Seconds / 1e6:F2} M samples/s ({cachedTextRun.Allocated / textSamples:F0} B/sample); " +
    $"OpenMetrics {textSamples / omRun.Seconds / 1e6:F2} M samples/s");

// 3. Influx line protocol.
var influx = Encoding.UTF8.GetBytes(Payloads.Influx(50_000));
var influxSamples = InfluxLineProtocolParser.Parse(influx, InfluxPrecision.Nanoseconds, scrapeTime).SampleCount;
var influxRun = Measure(() => InfluxLineProtocolParser.Parse(influx, InfluxPrecision.Nanoseconds, scrapeTime));
Console.WriteLine($"influx: 50,000 lines, {influxSamples:N0} samples; {50_000 / influxRun.Seconds / 1e6:F2} M lines/s, " +
    $"{influxSamples / influxRun.Seconds / 1e6:F2} M samples/s");

// 4. Prometheus receiving the same remote_write payloads.
if (prometheusPath != "none" && File.Exists(prometheusPath))
{
    await PrometheusReceive(prometheusPath, keys, requestCount);
}
else
{
    Console.WriteLine($"prometheus: skipped ({prometheusPath} not found; apt-get install -y prometheus)");
}
return 0;

async Task PrometheusReceive(string binary, List<SeriesKey> allKeys, int perWorkerRequests)
{
    const int workers = 4;
    var dir = Directory.CreateTempSubdirectory("auspex-bench-prom-").FullName;
    int port;
    using (var l = new TcpListener(IPAddress.Loopback, 0))
    {
        l.Start();
        port = ((IPEndPoint)l.LocalEndpoint).Port;
    }
    var config = Path.Combine(dir, "prometheus.yml");
    File.WriteAllText(config, "global:\n  scrape_interval: 1h\nscrape_configs: []\n");
    var psi = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var a in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir, "data")}", $"--web.listen-address=127.0.0.1:{port}", "--web.enable-remote-write-receiver", "--log.level=error" })
    {
        psi.ArgumentList.Add(a);
    }
    using var process = Process.Start(psi)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, _) => { };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    try
    {
        using var http = new HttpClient();
        var url = new Uri($"http://127.0.0.1:{port}/api/v1/write");
        for (var i = 0; i < 200; i++)
        {
            try
            {
                if ((await http.GetAsync(new Uri($"http://127.0.0.1:{port}/-/ready"))).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        // Each worker owns a disjoint quarter of the series, so samples of a series arrive in order.
        var from = clock.GetUtcNow().AddMinutes(-50);
        var plans = Enumerable.Range(0, workers).Select(w =>
        {
            var own = allKeys.Where((_, i) => i % workers == w).ToList();
            return Payloads.Requests(own, 2000, 1, perWorkerRequests, from, TimeSpan.FromSeconds(15), seed: w).Select(RemoteWriteEncoder.Encode).ToList();
        }).ToList();
        var samples = workers * perWorkerRequests * 2000;
        var cpuBefore = CpuSeconds(process.Id);
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(plans.Select(async bodies =>
        {
            foreach (var body in bodies)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                content.Headers.ContentEncoding.Add("snappy");
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
                request.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
                using var response = await http.SendAsync(request);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"Prometheus answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        }));
        var seconds = sw.Elapsed.TotalSeconds;
        var promCpu = CpuSeconds(process.Id) - cpuBefore;
        var ourCache = new SeriesKeyCache();
        var ourDecode = Measure(() =>
        {
            foreach (var bodies in plans)
            {
                foreach (var b in bodies)
                {
                    RemoteWriteDecoder.Decode(b, cache: ourCache);
                }
            }
        }, runs: 3);
        var status = File.ReadAllLines($"/proc/{process.Id}/status");
        var hwm = status.FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?";
        var bytes = new DirectoryInfo(Path.Combine(dir, "data")).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        var version = FirstLine(binary, "--version");
        Console.WriteLine($"prometheus ({version}) receiving {samples:N0} samples, {allKeys.Count:N0} series, {workers} concurrent senders, " +
            $"{workers * perWorkerRequests} requests of 2,000: {samples / promCpu / 1e6:F2} M samples per CPU-second of Prometheus " +
            $"({samples / seconds / 1e6:F2} M samples/s wall) over HTTP incl. TSDB append; " +
            $"peak RSS {hwm}; {(double)bytes / samples:F1} B/sample on disk (WAL, before compaction)");
        Console.WriteLine($"auspex decoder on the same bodies (decode only, warm SeriesKeyCache, one thread, no storage): {samples / ourDecode.Seconds / 1e6:F2} M samples per CPU-second");
    }
    finally
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
        Directory.Delete(dir, recursive: true);
    }
}

// CPU seconds of this process (median of runs), not wall time: the bench machine is shared, and CPU time is what the
// work costs whatever else runs. GC and JIT threads count, as they should.
static (double Seconds, double Allocated) Measure(Action action, int runs = 7)
{
    action(); // warm-up
    var times = new List<double>();
    double allocated = 0;
    using var self = Process.GetCurrentProcess();
    for (var i = 0; i < runs; i++)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        self.Refresh();
        var cpu = self.TotalProcessorTime;
        action();
        self.Refresh();
        times.Add(Math.Max((self.TotalProcessorTime - cpu).TotalSeconds, 1e-3));
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
    }
    times.Sort();
    return (times[times.Count / 2], allocated);
}

static double CpuSeconds(int pid)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0; // USER_HZ
}

static string FirstLine(string binary, string arg)
{
    var psi = new ProcessStartInfo(binary, arg) { RedirectStandardOutput = true, RedirectStandardError = true };
    using var p = Process.Start(psi)!;
    var text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
    p.WaitForExit();
    return text.Split('\n')[0].Trim();
}

static string RuntimeInformationText() => System.Runtime.InteropServices.RuntimeInformation.OSDescription;
