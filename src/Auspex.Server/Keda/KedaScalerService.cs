using Auspex.Core.Forecasts;
using Auspex.Core.Series;
using Auspex.Engine;
using Auspex.Orchestration.Scaling;
using Auspex.Server.Keda.Protocol;
using Grpc.Core;

namespace Auspex.Server.Keda;

/// <summary>
/// KEDA's external scaler, serving predicted demand: the trigger's metadata names the component (<c>service</c>) or a
/// series selector (<c>series</c>), the quantile, the lead time and the demand one replica handles (<c>targetValue</c>).
/// GetMetrics answers the peak predicted demand over the lead time, so the HPA KEDA drives sizes the workload for
/// the load that is coming, not the load that is here. Bad metadata → InvalidArgument, no forecast → NotFound, each
/// with a message naming what is wrong.
/// </summary>
internal sealed class KedaScalerService(AuspexRuntime runtime) : ExternalScaler.ExternalScalerBase
{
    /// <summary>How often StreamIsActive re-evaluates and pushes (only changes are pushed after the first answer).</summary>
    internal static TimeSpan StreamInterval { get; set; } = TimeSpan.FromSeconds(5);

    public override async Task<IsActiveResponse> IsActive(ScaledObjectRef request, ServerCallContext context)
    {
        var (query, demand) = await PredictAsync(request, context.CancellationToken).ConfigureAwait(false);
        return new IsActiveResponse { Result = demand.Value > query.ActivationThreshold };
    }

    public override async Task StreamIsActive(ScaledObjectRef request, IServerStreamWriter<IsActiveResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(responseStream);
        bool? last = null;
        using var timer = new PeriodicTimer(StreamInterval);
        do
        {
            var (query, demand) = await PredictAsync(request, context.CancellationToken).ConfigureAwait(false);
            var active = demand.Value > query.ActivationThreshold;
            if (active != last)
            {
                await responseStream.WriteAsync(new IsActiveResponse { Result = active }, context.CancellationToken).ConfigureAwait(false);
                last = active;
            }
        }
        while (await timer.WaitForNextTickAsync(context.CancellationToken).ConfigureAwait(false));
    }

    public override Task<GetMetricSpecResponse> GetMetricSpec(ScaledObjectRef request, ServerCallContext context)
    {
        var query = Parse(request);
        var r = new GetMetricSpecResponse();
#pragma warning disable CS0612 // the int64 field is deprecated but KEDA releases before the float fields read only it
        r.MetricSpecs.Add(new MetricSpec { MetricName = query.MetricName, TargetSizeFloat = query.TargetValue, TargetSize = (long)Math.Ceiling(query.TargetValue) });
#pragma warning restore CS0612
        return Task.FromResult(r);
    }

    public override async Task<GetMetricsResponse> GetMetrics(GetMetricsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (query, demand) = await PredictAsync(request.ScaledObjectRef ?? new ScaledObjectRef(), context.CancellationToken).ConfigureAwait(false);
        var r = new GetMetricsResponse();
#pragma warning disable CS0612 // as above: fill the deprecated int64 value for older KEDA releases
        r.MetricValues.Add(new MetricValue
        {
            MetricName = string.IsNullOrEmpty(request.MetricName) ? query.MetricName : request.MetricName,
            MetricValueFloat = demand.Value,
            MetricValue_ = (long)Math.Ceiling(demand.Value),
        });
#pragma warning restore CS0612
        return r;
    }

    private static ScalerQuery Parse(ScaledObjectRef request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (query, error) = ScalerQuery.Parse(request.ScalerMetadata);
        return query ?? throw new RpcException(new Status(StatusCode.InvalidArgument, $"ScaledObject {request.Namespace}/{request.Name}: {error}"));
    }

    /// <summary>
    /// The scaler's "now": the loop's clock, except on a replay clock (the demo), which runs ahead of the replayed data
    /// while a tick works: there it is the last tick's time, the time of the data the forecasts were made from.
    /// </summary>
    private DateTimeOffset Now()
    {
        var now = runtime.Loop.Clock.GetUtcNow();
        return runtime.Loop.Clock is Auspex.Engine.Clock.AcceleratedTimeProvider && runtime.Loop.Latest is { } latest && latest.At < now ? latest.At : now;
    }

    private async Task<(ScalerQuery Query, DemandPrediction Demand)> PredictAsync(ScaledObjectRef request, CancellationToken ct)
    {
        var query = Parse(request);
        var tenant = runtime.Loop.Tenant;
        var now = Now();
        foreach (var selector in query.Selectors)
        {
            var matchers = SeriesSelector.TryParse(selector, out var error)
                ?? throw new RpcException(new Status(StatusCode.InvalidArgument, $"ScaledObject {request.Namespace}/{request.Name}: series selector '{selector}' is invalid: {error}"));
            var forecasts = new List<Forecast>();
            foreach (var key in runtime.Store.Series.FindSeries(tenant, matchers))
            {
                if (await runtime.Store.Results.LatestForecastAsync(tenant, key, ct).ConfigureAwait(false) is { } f)
                {
                    forecasts.Add(f);
                }
            }
            if (forecasts.Count > 0)
            {
                var demand = PredictedDemand.Over(forecasts, now, query.Quantile, query.LeadTime);
                if (demand.Series > 0)
                {
                    return (query, demand);
                }
            }
        }
        // No series carries the label: a component of the topology is served the demand the scaling stage sizes it on
        // (its own component series' forecast, else its hosts' CPU forecasts shared by requests, in cores).
        if (query.Service is { } component && runtime.Scaling?.DemandOf(component) is { Demand.Demand: { } own })
        {
            var demand = PredictedDemand.Over([own], now, query.Quantile, query.LeadTime);
            if (demand.Series > 0)
            {
                return (query, demand);
            }
        }
        throw new RpcException(new Status(StatusCode.NotFound,
            $"ScaledObject {request.Namespace}/{request.Name}: no current forecast for {string.Join(" or ", query.Selectors)} (is the series ingested and has the loop forecast it yet?)"));
    }
}
