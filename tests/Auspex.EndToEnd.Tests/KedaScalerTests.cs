using Auspex.Server.Keda.Protocol;
using Grpc.Core;
using Grpc.Net.Client;

namespace Auspex.EndToEnd.Tests;

/// <summary>The KEDA external scaler on its own HTTP/2 port of the running demo, called by a real gRPC client generated from externalscaler.proto.</summary>
[Collection("demo")]
public sealed class KedaScalerTests(DemoServerFixture demo)
{
    private ExternalScaler.ExternalScalerClient Client(out GrpcChannel channel)
    {
        channel = GrpcChannel.ForAddress(demo.GrpcAddress);
        return new ExternalScaler.ExternalScalerClient(channel);
    }

    private static ScaledObjectRef Ref(params (string Key, string Value)[] metadata)
    {
        var r = new ScaledObjectRef { Name = "web", Namespace = "shop" };
        foreach (var (k, v) in metadata)
        {
            r.ScalerMetadata[k] = v;
        }
        return r;
    }

    /// <summary>
    /// Stores a series for component "web" and a forecast of it covering the next two days of the demo's (fast)
    /// clock: 100 req/s now rising to 400 at +2 h, quantiles ±20% at the 2.5/97.5% levels.
    /// </summary>
    private async Task<DateTimeOffset> SeedWebForecastAsync()
    {
        var tenant = demo.Runtime.Loop.Tenant;
        var now = demo.Runtime.Loop.Clock.GetUtcNow();
        var key = new Auspex.Core.Series.SeriesKey("e2e_shop_requests_per_second", Auspex.Core.Series.Labels.Of("service", "web"));
        await using (var a = demo.Runtime.Store.Series.BeginAppend(tenant))
        {
            a.Add(key, now, 100);
            Assert.True((await a.CommitAsync()).Ok);
        }
        var step = TimeSpan.FromMinutes(30);
        var points = Enumerable.Range(0, 96).Select(i =>
        {
            var m = i <= 4 ? 100 + 75 * i : 400;
            return new Auspex.Core.Forecasts.ForecastPoint(now + step * i, m, [m * 0.8, m, m * 1.2]);
        }).ToList();
        await demo.Runtime.Store.Results.SaveForecastsAsync(tenant, [new Auspex.Core.Forecasts.Forecast(key, "e2e", now, step, [0.025, 0.5, 0.975], points)]);
        return now;
    }

    [Fact]
    public async Task GetMetricSpecAndGetMetrics_ServeThePredictedPeakOverTheLeadTime()
    {
        await SeedWebForecastAsync();
        var client = Client(out var channel);
        using (channel)
        {
            var r = Ref(("service", "web"), ("quantile", "0.5"), ("leadTime", "48h"), ("targetValue", "50"));
            var spec = await client.GetMetricSpecAsync(r);
            var s = Assert.Single(spec.MetricSpecs);
            Assert.Equal("auspex-predicted-web", s.MetricName);
            Assert.Equal(50, s.TargetSizeFloat);

            var metrics = await client.GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = r, MetricName = s.MetricName });
            var v = Assert.Single(metrics.MetricValues);
            Assert.Equal(s.MetricName, v.MetricName);
            Assert.Equal(400, v.MetricValueFloat, 6); // the peak of the median within the lead time, not the 100 of now

            // A higher quantile never predicts less.
            var high = await client.GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = Ref(("service", "web"), ("quantile", "0.975"), ("leadTime", "48h"), ("targetValue", "50")) });
            Assert.Equal(480, high.MetricValues[0].MetricValueFloat, 6);

            Assert.True((await client.IsActiveAsync(r)).Result);
            var idle = Ref(("service", "web"), ("targetValue", "1"), ("activationThreshold", "1e12"));
            Assert.False((await client.IsActiveAsync(idle)).Result);

            using var stream = client.StreamIsActive(r);
            Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
            Assert.True(stream.ResponseStream.Current.Result);
        }
    }

    [Fact]
    public async Task BadMetadata_IsInvalidArgument_UnknownService_IsNotFound_EachNamingTheProblem()
    {
        var client = Client(out var channel);
        using (channel)
        {
            var noTarget = await Assert.ThrowsAsync<RpcException>(async () => await client.GetMetricSpecAsync(Ref(("service", "web"))));
            Assert.Equal(StatusCode.InvalidArgument, noTarget.StatusCode);
            Assert.Contains("targetValue", noTarget.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("shop/web", noTarget.Status.Detail, StringComparison.Ordinal);

            var badLead = await Assert.ThrowsAsync<RpcException>(async () => await client.IsActiveAsync(Ref(("service", "web"), ("targetValue", "1"), ("leadTime", "soon"))));
            Assert.Equal(StatusCode.InvalidArgument, badLead.StatusCode);
            Assert.Contains("leadTime", badLead.Status.Detail, StringComparison.Ordinal);

            var badSelector = await Assert.ThrowsAsync<RpcException>(async () => await client.IsActiveAsync(Ref(("series", "x{"), ("targetValue", "1"))));
            Assert.Equal(StatusCode.InvalidArgument, badSelector.StatusCode);

            var unknown = await Assert.ThrowsAsync<RpcException>(async () => await client.GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = Ref(("service", "no-such-component"), ("targetValue", "1")) }));
            Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
            Assert.Contains("no-such-component", unknown.Status.Detail, StringComparison.Ordinal);
        }
    }
}
