using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Auspex.Core.Series;
using Auspex.Engine;
using Auspex.Engine.Configuration;
using Auspex.Orchestration.Scaling;
using Auspex.Server.Keda.Protocol;
using Auspex.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Time.Testing;

namespace Auspex.Server.Tests.Keda;

/// <summary>
/// The KEDA external scaler for <c>service: &lt;component id&gt;</c>, called by a real gRPC client generated from
/// externalscaler.proto: a component with its own series is served that series' forecast (made by the loop); a
/// component without one is served the demand the scaling stage sizes it on (its hosts' CPU shares).
/// </summary>
public sealed class KedaComponentDemandTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private RunningServer? _server;
    private AuspexRuntime? _runtime;
    private GrpcChannel? _channel;
    private ExternalScaler.ExternalScalerClient? _client;

    public async Task InitializeAsync()
    {
        const string Yaml = Auspex.Testing.Builders.ShopOneHostYaml;
        var clock = new FakeTimeProvider(T0.AddHours(6));
        _server = await RunningServer.StartAsync(Yaml, clock, new ServerOptions { Port = 0, GrpcPort = 0 }, beforeServe: async runtime =>
        {
            await using var a = runtime.Store.Series.BeginAppend(runtime.Loop.Tenant);
            var times = Enumerable.Range(0, 72).Select(i => T0.AddMinutes(5 * i)).ToList();
            a.Add(new SeriesData(new SeriesKey("auspex_component_cpu_used_cores", Labels.Of("component", "web")), times.Select((t, i) => new Sample(t, 3 + 0.2 * (i % 4))).ToList()));
            a.Add(new SeriesData(new SeriesKey("auspex_host_cpu_used_cores", Labels.Of("host", "h1")), times.Select((t, i) => new Sample(t, 2 + 0.1 * (i % 5))).ToList()));
            Assert.True((await a.CommitAsync()).Ok);
        }, firstTickTimeout: TimeSpan.FromSeconds(120));
        _runtime = _server.Runtime;
        Assert.Null(_runtime.Loop.LastTick!.Error);
        _channel = GrpcChannel.ForAddress(AuspexServer.GrpcAddress(_server.App)!);
        _client = new ExternalScaler.ExternalScalerClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _dir.Dispose();
    }

    private static ScaledObjectRef Ref(params (string Key, string Value)[] metadata)
    {
        var r = new ScaledObjectRef { Name = "so", Namespace = "shop" };
        foreach (var (k, v) in metadata)
        {
            r.ScalerMetadata[k] = v;
        }
        return r;
    }

    [Fact]
    public async Task Service_WithItsOwnSeries_IsServedThatSeriesForecast()
    {
        var key = new SeriesKey("auspex_component_cpu_used_cores", Labels.Of("component", "web"));
        var forecast = await _runtime!.Store.Results.LatestForecastAsync(_runtime.Loop.Tenant, key);
        Assert.NotNull(forecast);                       // the loop forecast the component series
        var expected = PredictedDemand.Over([forecast!], _runtime.Loop.Clock.GetUtcNow(), 0.9, TimeSpan.FromMinutes(30)).Value;

        var r = await _client!.GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = Ref(("service", "web"), ("targetValue", "0.7"), ("leadTime", "30m")), MetricName = "m" });
        var v = Assert.Single(r.MetricValues);
        Assert.Equal(expected, v.MetricValueFloat, 9);
        Assert.InRange(v.MetricValueFloat, 2.5, 6);
        Assert.True((await _client.IsActiveAsync(Ref(("service", "web"), ("targetValue", "0.7")))).Result);
    }

    [Fact]
    public async Task Service_WithoutASeries_IsServedTheScalingStagesDemand()
    {
        var own = _runtime!.Scaling.DemandOf("api");
        Assert.NotNull(own);
        Assert.Equal("hostShare", own!.Value.Demand.Kind);
        var expected = PredictedDemand.Over([own.Value.Demand.Demand!], _runtime.Loop.Clock.GetUtcNow(), 0.9, TimeSpan.FromMinutes(5)).Value;

        var r = await _client!.GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = Ref(("service", "api"), ("targetValue", "0.7")) });
        Assert.Equal(expected, Assert.Single(r.MetricValues).MetricValueFloat, 9);
        Assert.True(expected > 0);
        var spec = await _client.GetMetricSpecAsync(Ref(("service", "api"), ("targetValue", "0.7")));
        Assert.Equal(0.7, Assert.Single(spec.MetricSpecs).TargetSizeFloat, 9);
        Assert.Equal("auspex-predicted-api", spec.MetricSpecs[0].MetricName);
        using var stream = _client.StreamIsActive(Ref(("service", "api"), ("targetValue", "0.7")));
        Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(stream.ResponseStream.Current.Result);
    }

    [Fact]
    public async Task BadOrUnknown_AreRefusedWithTheReason()
    {
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await _client!.GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = Ref(("service", "nope"), ("targetValue", "1")) }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("nope", unknown.Status.Detail, StringComparison.Ordinal);
        var badQuantile = await Assert.ThrowsAsync<RpcException>(async () => await _client!.IsActiveAsync(Ref(("service", "api"), ("targetValue", "1"), ("quantile", "1.5"))));
        Assert.Equal(StatusCode.InvalidArgument, badQuantile.StatusCode);
        Assert.Contains("quantile", badQuantile.Status.Detail, StringComparison.Ordinal);
        var noTarget = await Assert.ThrowsAsync<RpcException>(async () => await _client!.GetMetricSpecAsync(Ref(("service", "api"))));
        Assert.Equal(StatusCode.InvalidArgument, noTarget.StatusCode);
        var quote = await Assert.ThrowsAsync<RpcException>(async () => await _client!.GetMetricSpecAsync(Ref(("service", "a\"b"), ("targetValue", "1"))));
        Assert.Equal(StatusCode.InvalidArgument, quote.StatusCode);
    }

    /// <summary>The value of the exposition line of <paramref name="metric"/> carrying all <paramref name="labels"/>.</summary>
    private static double Exposed(string text, string metric, params string[] labels)
    {
        var line = text.Split('\n').Single(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && labels.All(x => l.Contains(x, StringComparison.Ordinal)));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The prometheus-adapter rule of docs/orchestration.md ("The plain HPA through prometheus-adapter"): a real
    /// Prometheus scrapes Auspex's /metrics, and the rule's seriesQuery and its metricsQuery (with the adapter's
    /// template filled in by hand for component "web" and "api") find the components' forecasts. The adapter itself is
    /// not run (it is not installed here).
    /// </summary>
    [RequiresProgramFact("/usr/bin/prometheus", "apt-get install -y prometheus")]
    public async Task PrometheusAdapterRule_OnARealPrometheus_FindsEveryComponentsForecast()
    {
        using var http = new HttpClient { BaseAddress = AuspexServer.BaseAddress(_server!.App) };
        var text = await http.GetStringAsync("/metrics");
        var web = Exposed(text, "auspex_component_cpu_used_cores:predicted", "component=\"web\"", "quantile=\"0.9\"", "auspex_horizon=\"1h\"");
        var api = Exposed(text, "auspex_component_cpu_demand_cores:predicted", "component=\"api\"", "quantile=\"0.9\"", "auspex_horizon=\"1h\"");

        var promPort = Programs.FreePort();
        var auspex = AuspexServer.BaseAddress(_server!.App);
        await File.WriteAllTextAsync(_dir.File("prometheus.yml"), $$"""
            global: {scrape_interval: 1s, scrape_timeout: 1s}
            scrape_configs:
              - job_name: auspex
                honor_labels: true
                static_configs: [{targets: ['{{auspex.Authority}}']}]
            """);
        var psi = new ProcessStartInfo("/usr/bin/prometheus") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--config.file=" + _dir.File("prometheus.yml"), "--storage.tsdb.path=" + _dir.File("tsdb"), $"--web.listen-address=127.0.0.1:{promPort}" })
        {
            psi.ArgumentList.Add(a);
        }
        using var prom = Process.Start(psi)!;
        prom.OutputDataReceived += (_, _) => { };
        prom.ErrorDataReceived += (_, _) => { };
        prom.BeginOutputReadLine();
        prom.BeginErrorReadLine();
        try
        {
            using var q = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{promPort}/"), Timeout = TimeSpan.FromSeconds(5) };
            async Task<JsonElement?> Query(string promql)
            {
                var sw = Stopwatch.StartNew();
                while (sw.Elapsed < TimeSpan.FromSeconds(90))
                {
                    try
                    {
                        using var doc = JsonDocument.Parse(await q.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(promql)));
                        var result = doc.RootElement.GetProperty("data").GetProperty("result");
                        if (result.GetArrayLength() > 0)
                        {
                            return result[0].Clone();
                        }
                    }
                    catch (HttpRequestException)
                    {
                    }
                    catch (TaskCanceledException)
                    {
                    }
                    await Task.Delay(500);
                }
                return null;
            }
            double Value(JsonElement e) => double.Parse(e.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);

            // metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>, quantile="0.9", auspex_horizon="1h"}) by (<<.GroupBy>>)'
            var w = await Query("max(auspex_component_cpu_used_cores:predicted{component=\"web\", quantile=\"0.9\", auspex_horizon=\"1h\"}) by (component)");
            Assert.NotNull(w);
            Assert.Equal("web", w!.Value.GetProperty("metric").GetProperty("component").GetString());
            Assert.Equal(web, Value(w.Value), 9);
            var a2 = await Query("max(auspex_component_cpu_demand_cores:predicted{component=\"api\", quantile=\"0.9\", auspex_horizon=\"1h\"}) by (component)");
            Assert.NotNull(a2);
            Assert.Equal(api, Value(a2!.Value), 9);

            // seriesQuery: what the adapter discovers and names <metric>_predicted.
            using var series = JsonDocument.Parse(await q.GetStringAsync("api/v1/series?match[]=" + Uri.EscapeDataString("{__name__=~\"auspex_component_.+:predicted\", component!=\"\", quantile=\"0.9\", auspex_horizon=\"1h\"}")));
            var names = series.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("__name__").GetString()!).ToHashSet();
            Assert.Contains("auspex_component_cpu_used_cores:predicted", names);
            Assert.Contains("auspex_component_cpu_demand_cores:predicted", names);
            Assert.All(names, n => Assert.Matches("^(.*):predicted$", n));
        }
        finally
        {
            prom.Kill(entireProcessTree: true);
            await prom.WaitForExitAsync();
        }
    }
}
