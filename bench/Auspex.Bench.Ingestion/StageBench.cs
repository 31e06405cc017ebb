using System.Diagnostics;
using System.Globalization;
using Auspex.Core.Series;
using Auspex.Engine.Services;
using Auspex.Ingestion.RemoteWrite;
using Auspex.Storage;

namespace Auspex.Bench.Ingestion;

/// <summary>
/// Where the remote_write server path spends its CPU, stage by stage, in-process on one thread over the store bench's
/// own request bodies: snappy decompression, protobuf decode (without and with the series-key cache) and the ingest
/// service's append into the store (head log + fsync). Each stage: CPU of this process per sample and bytes allocated
/// per sample (median of runs). What the server costs beyond their sum is HTTP (Kestrel, body read, routing, auth).
/// </summary>
internal static class StageBench
{
    public static async Task RunAsync(List<byte[][]> rounds, long samples, int runs)
    {
        var inv = CultureInfo.InvariantCulture;
        var bodies = rounds.SelectMany(r => r).ToList();
        using var self = Process.GetCurrentProcess();
        (double CpuNs, double Bytes) Stage(string name, Action body)
        {
            body(); // warm-up
            var cpu = new List<double>();
            var alloc = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                GC.Collect();
                self.Refresh();
                var c0 = self.TotalProcessorTime;
                var a0 = GC.GetTotalAllocatedBytes(precise: true);
                body();
                self.Refresh();
                cpu.Add((self.TotalProcessorTime - c0).TotalMilliseconds * 1e6 / samples);
                alloc.Add((GC.GetTotalAllocatedBytes(precise: true) - a0) / (double)samples);
            }
            var r = (cpu.Order().ElementAt(runs / 2), alloc.Order().ElementAt(runs / 2));
            Console.WriteLine(string.Create(inv, $"stage {name}: {r.Item1:F0} ns CPU/sample ({1e3 / r.Item1:F2} M samples per CPU-second), {r.Item2:F1} B allocated/sample (median of {runs})"));
            return r;
        }
        var buffer = new byte[16 << 20];
        Stage("snappy decompress", () =>
        {
            foreach (var b in bodies)
            {
                Snappier.Snappy.Decompress(b, buffer);
            }
        });
        Stage("decode, no cache (the server before this change)", () =>
        {
            foreach (var b in bodies)
            {
                Check(RemoteWriteDecoder.Decode(b));
            }
        });
        var cache = new SeriesKeyCache();
        Stage("decode, warm series-key cache", () =>
        {
            foreach (var b in bodies)
            {
                Check(RemoteWriteDecoder.Decode(b, cache: cache));
            }
        });
        var decoded = bodies.Select(b => RemoteWriteDecoder.Decode(b, cache: cache).Series).ToList();
        var dir = Directory.CreateTempSubdirectory("auspex-stage-bench-").FullName;
        try
        {
            var n = 0;
            Stage("ingest service append (store: head log + fsync per request, one request at a time)", () =>
            {
                using var store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = Path.Combine(dir, $"s{n++}.duckdb") });
                var ingest = new IngestService(store);
                foreach (var d in decoded)
                {
                    var r = ingest.AppendAsync(TenantId.Default, d).GetAwaiter().GetResult();
                    if (!r.Ok)
                    {
                        throw new InvalidOperationException(string.Join("; ", r.Errors));
                    }
                }
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        await Task.CompletedTask;
    }

    private static void Check(Auspex.Ingestion.ParseResult r)
    {
        if (!r.IsSuccess)
        {
            throw new InvalidOperationException(r.ErrorMessage);
        }
    }
}
