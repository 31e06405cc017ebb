using Auspex.Engine.Configuration;
using Auspex.Testing;

namespace Auspex.Engine.Tests;

public sealed class PipelineConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string yaml)
    {
        var p = _dir.File("auspex.yaml");
        File.WriteAllText(p, yaml);
        return p;
    }

    [Fact]
    public void Load_ScrapeSourceAndSink_ReadWithDefaultsAndResolvedPaths()
    {
        Directory.CreateDirectory(_dir.File("targets"));
        File.WriteAllText(_dir.File("token"), "s3cret\n");
        var r = ConfigFile.Load(Write("""
            scrape_configs:
              - job_name: node
                scrape_interval: 15s
                static_configs:
                  - targets: ['127.0.0.1:9100', 'node2:9100']
                    labels: {site: lab}
                file_sd_configs:
                  - files: ['targets/*.json']
                    refresh_interval: 1m
              - job_name: fast
                scrape_interval: 2s
                scheme: https
                metrics_path: /m
                honor_labels: true
                sample_limit: 5000
                static_configs: [{targets: ['a:1']}]
            sources:
              - name: prod
                url: http://prometheus:9090
                interval: 1m
                backfill: 2d
                headers: {X-Scope-OrgID: team-a}
                bearer_token_file: token
                queries:
                  - 'node_load1{job="node"}'
                  - query: 1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))
                    metric: auspex_host_cpu_used_cores
                    host_label: instance
            remote_write:
              - url: http://prometheus:9090/api/v1/write
                ahead: [15m]
                anomaly_scores: false
                max_samples_per_send: 500
            """));

        Assert.Empty(r.Errors);
        var p = r.Settings!.Pipeline;
        Assert.Equal(2, p.ScrapeJobs.Count);
        var node = p.ScrapeJobs[0];
        Assert.Equal(TimeSpan.FromSeconds(15), node.Interval);
        Assert.Equal(TimeSpan.FromSeconds(10), node.Timeout);
        Assert.Equal(["127.0.0.1:9100", "node2:9100"], node.StaticConfigs[0].Targets);
        Assert.Equal("lab", node.StaticConfigs[0].Labels["site"]);
        Assert.Equal([Path.Combine(_dir.Path, "targets", "*.json")], node.FileSdFiles);
        Assert.Equal(TimeSpan.FromMinutes(1), node.FileSdRefreshInterval);
        var fast = p.ScrapeJobs[1];
        Assert.Equal(TimeSpan.FromSeconds(2), fast.Timeout); // defaults to the interval when shorter than 10s
        Assert.Equal("https", fast.Scheme);
        Assert.True(fast.HonorLabels);
        Assert.Equal(5000, fast.Exposition.MaxSamples);
        var source = Assert.Single(p.Sources);
        Assert.Equal("prod", source.Name);
        Assert.Equal(TimeSpan.FromDays(2), source.Backfill);
        Assert.Equal("Bearer s3cret", source.Client.Headers["Authorization"]);
        Assert.Equal("team-a", source.Client.Headers["X-Scope-OrgID"]);
        Assert.Equal(new SourceQuery("node_load1{job=\"node\"}"), source.Queries[0]);
        Assert.Equal("auspex_host_cpu_used_cores", source.Queries[1].Metric);
        Assert.Equal("instance", source.Queries[1].HostLabel);
        var sink = Assert.Single(p.Sinks);
        Assert.Equal("prometheus:9090", sink.Name);
        Assert.Equal([TimeSpan.FromMinutes(15)], sink.Ahead);
        Assert.False(sink.AnomalyScores);
        Assert.True(sink.LocalityScores);
        Assert.Equal(500, sink.Client.MaxSamplesPerRequest);
    }

    [Theory]
    [InlineData("scrape_configs: {job_name: x}", "'scrape_configs' must be a list")]
    [InlineData("scrape_configs: [{static_configs: [{targets: ['a:1']}]}]", "needs a job_name")]
    [InlineData("scrape_configs: [{job_name: x}]", "has no targets")]
    [InlineData("scrape_configs: [{job_name: x, static_configs: [{targets: ['http://a:1/metrics']}]}]", "must be host:port")]
    [InlineData("scrape_configs: [{job_name: x, scrape_interval: 5s, scrape_timeout: 10s, static_configs: [{targets: ['a:1']}]}]", "must not be longer than scrape_interval")]
    [InlineData("scrape_configs: [{job_name: x, scrape_interval: often, static_configs: [{targets: ['a:1']}]}]", "'scrape_interval' must be a positive duration")]
    [InlineData("scrape_configs: [{job_name: x, scheme: ftp, static_configs: [{targets: ['a:1']}]}]", "scheme must be http or https")]
    [InlineData("scrape_configs: [{job_name: x, relabel_configs: [], static_configs: [{targets: ['a:1']}]}]", "unknown key 'relabel_configs'")]
    [InlineData("scrape_configs: [{job_name: x, static_configs: [{targets: ['a:1'], labels: {bad-label: v}}]}]", "'bad-label' is not a valid label name")]
    [InlineData("scrape_configs: [{job_name: x, file_sd_configs: [{files: ['nowhere/t.json']}]}]", "does not exist")]
    [InlineData("scrape_configs: [{job_name: x, file_sd_configs: [{files: ['t.txt']}]}]", "must end in .json, .yml or .yaml")]
    [InlineData("scrape_configs: [{job_name: x, static_configs: [{targets: ['a:1']}]}, {job_name: x, static_configs: [{targets: ['a:1']}]}]", "configured twice")]
    [InlineData("sources: [{name: p, url: 'prometheus:9090', queries: [up]}]", "not an absolute http(s) URL")]
    [InlineData("sources: [{name: p, url: 'http://p:9090'}]", "needs queries")]
    [InlineData("sources: [{name: p, url: 'http://p:9090', queries: [{query: up, metric: 'bad-name'}]}]", "metric 'bad-name' is not a valid metric name")]
    [InlineData("sources: [{name: p, url: 'http://p:9090', queries: [{metric: m}]}]", "a query needs query")]
    [InlineData("sources: [{name: p, url: 'http://p:9090', queries: [up], bearer_token_file: missing}]", "bearer_token_file")]
    [InlineData("sources: [{name: p, url: 'http://p:9090', queries: [up], min_backoff: 5s, max_backoff: 1s}]", "source 'p'")]
    [InlineData("remote_write: [{name: p}]", "needs an absolute http(s) url")]
    [InlineData("remote_write: [{url: 'http://p/api/v1/write', ahead: [soon]}]", "'soon' is not a positive duration")]
    [InlineData("remote_write: [{url: 'http://p/api/v1/write', forecasts: maybe}]", "'forecasts' must be true or false")]
    [InlineData("remote_write: [{url: 'http://p/api/v1/write', max_samples_per_send: 0}]", "must be a positive whole number")]
    public void Load_BadPipeline_NamesFileLineAndReason(string yaml, string reason)
    {
        var path = Write(yaml);

        var r = ConfigFile.Load(path);

        Assert.Null(r.Settings);
        Assert.Contains(r.Errors, e => e.StartsWith(path + ":1:", StringComparison.Ordinal) && e.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_BearerTokenFile_TokenNeverInErrors()
    {
        File.WriteAllText(_dir.File("token"), "very-secret-token");
        var r = ConfigFile.Load(Write("sources: [{name: p, url: 'http://p:9090', queries: [up], bearer_token_file: token, colour: blue}]"));

        Assert.NotEmpty(r.Errors);
        Assert.DoesNotContain(r.Errors, e => e.Contains("very-secret-token", StringComparison.Ordinal));
    }
}
