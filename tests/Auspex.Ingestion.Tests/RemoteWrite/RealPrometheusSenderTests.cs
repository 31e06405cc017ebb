using Auspex.Ingestion.RemoteWrite;
using Auspex.Ingestion.Tests.PrometheusApi;
using Auspex.Ingestion.Tests.Scrape;

namespace Auspex.Ingestion.Tests.RemoteWrite;

/// <summary>A real Prometheus, configured with remote_write to a test listener, sends what it scrapes from node_exporter; the decoder reads it.</summary>
[Collection(RealPrometheusCollection.Name)]
public class RealPrometheusSenderTests(RealPrometheusFixture prometheus)
{
    [RealProgramFact(RealProgram.Prometheus, RealProgram.NodeExporter)]
    public async Task Decode_WhatARealPrometheusSends_YieldsNodeExporterSeries()
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(40);
        var decoded = new List<ParseResult>();
        while (!decoded.SelectMany(d => d.Series).Any(s => s.Key.Metric == "node_cpu_seconds_total") ||
               !decoded.SelectMany(d => d.Series).Any(s => s.Key.Metric == "up"))
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, "Prometheus sent no node_exporter series to the listener within 40 s");
            while (prometheus.Received.TryDequeue(out var write))
            {
                Assert.Equal("snappy", write.ContentEncoding);
                Assert.Equal("application/x-protobuf", write.ContentType);
                Assert.Equal("0.1.0", write.Version);
                var result = RemoteWriteDecoder.Decode(write.Body);
                Assert.True(result.IsSuccess, result.ErrorMessage);
                decoded.Add(result);
            }
            await Task.Delay(200);
        }

        var all = decoded.SelectMany(d => d.Series).ToList();
        var up = all.First(s => s.Key.Metric == "up");
        Assert.Equal("node", up.Key.Labels["job"]);
        Assert.Equal(prometheus.NodeExporterAddress, up.Key.Labels["instance"]);
        Assert.Contains(all, s => s.Key.Metric == "scrape_duration_seconds");
        Assert.All(all, s => Assert.True(s.Samples.Count > 0));
    }
}
