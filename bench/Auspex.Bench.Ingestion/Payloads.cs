using System.Globalization;
using System.Text;
using Auspex.Core.Series;

namespace Auspex.Bench.Ingestion;

/// <summary>Deterministic, node_exporter-shaped payloads.</summary>
internal static class Payloads
{
    private static readonly string[] Modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"];

    /// <summary>Series keys like node_cpu_seconds_total{cpu,instance,job,mode}, spread over hosts.</summary>
    public static List<SeriesKey> Keys(int count)
    {
        var keys = new List<SeriesKey>(count);
        for (var i = 0; i < count; i++)
        {
            var host = (i / 64).ToString("D4", CultureInfo.InvariantCulture);
            var cpu = (i / Modes.Length % 8).ToString(CultureInfo.InvariantCulture);
            keys.Add(new SeriesKey("node_cpu_seconds_total",
                Labels.Of("cpu", cpu, "instance", $"host-{host}.dc1.example.net:9100", "job", "node", "mode", Modes[i % Modes.Length])));
        }
        return keys;
    }

    /// <summary>
    /// Requests of <paramref name="seriesPerRequest"/> series × <paramref name="samplesPerSeries"/> samples, timestamps
    /// marching forward from <paramref name="start"/> by <paramref name="step"/>, each series in order across requests.
    /// </summary>
    public static List<List<SeriesData>> Requests(List<SeriesKey> keys, int seriesPerRequest, int samplesPerSeries, int requests,
        DateTimeOffset start, TimeSpan step, int seed)
    {
        var random = new Random(seed);
        var result = new List<List<SeriesData>>(requests);
        var cursor = 0;
        var round = 0;
        for (var r = 0; r < requests; r++)
        {
            var batch = new List<SeriesData>(seriesPerRequest);
            for (var s = 0; s < seriesPerRequest; s++)
            {
                var key = keys[cursor];
                var samples = new Sample[samplesPerSeries];
                for (var k = 0; k < samplesPerSeries; k++)
                {
                    var t = start + step * (round * samplesPerSeries + k);
                    samples[k] = new Sample(DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds()), Math.Round(random.NextDouble() * 1e6, 2));
                }
                batch.Add(new SeriesData(key, samples));
                cursor++;
                if (cursor == keys.Count)
                {
                    cursor = 0;
                    round++;
                }
            }
            result.Add(batch);
        }
        return result;
    }

    /// <summary>A Prometheus text exposition of <paramref name="families"/> families with HELP/TYPE and a histogram.</summary>
    public static string Exposition(int families, int seriesPerFamily)
    {
        var sb = new StringBuilder();
        for (var f = 0; f < families; f++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"# HELP bench_metric_{f}_total A counter for the benchmark.\n# TYPE bench_metric_{f}_total counter\n");
            for (var s = 0; s < seriesPerFamily; s++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"bench_metric_{f}_total{{device=\"sd{s}\",mode=\"{Modes[s % Modes.Length]}\"}} {f * 1000.5 + s}\n");
            }
        }
        sb.Append("# TYPE bench_latency_seconds histogram\n");
        foreach (var le in new[] { "0.005", "0.01", "0.05", "0.1", "0.5", "1", "+Inf" })
        {
            sb.Append(CultureInfo.InvariantCulture, $"bench_latency_seconds_bucket{{le=\"{le}\"}} 42\n");
        }
        sb.Append("bench_latency_seconds_sum 3.5\nbench_latency_seconds_count 42\n");
        return sb.ToString();
    }

    /// <summary>Telegraf-like cpu lines: 8 fields each.</summary>
    public static string Influx(int lines)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"cpu,cpu=cpu{i % 8},host=host-{i / 8 % 500:D4} usage_user={i % 97 * 0.7},usage_system={i % 13 * 1.1},usage_idle=80.5,usage_iowait=0.2,usage_irq=0i,usage_softirq=0.01,usage_steal=0,usage_guest=0 {1_700_000_000_000_000_000L + i / 4000 * 10_000_000_000L}\n");
        }
        return sb.ToString();
    }
}
