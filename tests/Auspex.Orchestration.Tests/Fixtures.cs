using Auspex.Core.Forecasts;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Orchestration.Pool;
using Auspex.Orchestration.Scaling;
using Microsoft.Extensions.Time.Testing;

namespace Auspex.Orchestration.Tests;

/// <summary>Hand-written forecasts and pools for the decider's tests.</summary>
internal static class Fixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(5);

    public static Tier Standard(string provider = "aws", double price = 0.2, TimeSpan? lead = null) =>
        new("standard", provider, price, 1, 0, lead ?? TimeSpan.Zero);

    public static Tier Spot(string provider = "aws", double price = 0.06, double preempt = 0.05, TimeSpan? lead = null) =>
        new("spot", provider, price, 1, preempt, lead ?? TimeSpan.FromMinutes(2));

    public static Tier HighPerformance(string provider = "aws", double price = 0.5) =>
        new("high-performance", provider, price, 2.5, 0, TimeSpan.FromMinutes(1));

    /// <summary>A forecast whose mean is <paramref name="means"/> at T0, T0+5m, … with a symmetric band ± <paramref name="spread"/> × mean at the 2.5/97.5% levels.</summary>
    public static Forecast Demand(double spread, params double[] means) => DemandFrom(T0, spread, means);

    public static Forecast DemandFrom(DateTimeOffset start, double spread, params double[] means) =>
        new(new SeriesKey("requests_per_second", Labels.Of("service", "web")), "hand", start, Step, [0.025, 0.5, 0.975],
            means.Select((m, i) => new ForecastPoint(start + Step * i, m, [m * (1 - spread), m, m * (1 + spread)])).ToList());

    public static ScalingRequest Request(Forecast demand, IReadOnlyDictionary<string, int>? current = null, double capacity = 100) =>
        new(TenantId.Default, "web", demand, capacity, current ?? new Dictionary<string, int>());

    public static (IScalingDecider Decider, FakeTimeProvider Clock) Decider(TierPool pool, Action<ScalingOptions>? configure = null)
    {
        var options = new ScalingOptions();
        configure?.Invoke(options);
        var clock = new FakeTimeProvider(T0);
        return (ScalingDecider.Create(pool, options, clock), clock);
    }
}
