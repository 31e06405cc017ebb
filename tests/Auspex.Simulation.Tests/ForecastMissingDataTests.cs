using Auspex.Simulation.Policies;
using Auspex.Simulation.Traces;
using Auspex.Simulation.World;

namespace Auspex.Simulation.Tests;

/// <summary>
/// The trace's missing-data mask reaches the policies, and their forecaster leaves the missing intervals (an outage
/// replayed as zeros) out of its fit instead of fitting them as demand.
/// </summary>
public sealed class ForecastMissingDataTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(5);
    private const int Day = 288; // 5-min intervals a day

    // A daily cycle (300..900 req/s) with a small deterministic wobble that is not periodic.
    private static double Demand(int i) => 600 + 300 * Math.Sin(2 * Math.PI * i / Day) + 20 * Math.Sin(i * 0.7);

    // Four days of history; the second half of day 2 and the first half of day 3 (24 h) are an outage: zeros, marked missing.
    private static (double[] Clean, double[] WithOutage, bool[] Mask) FourDays()
    {
        var n = 4 * Day;
        var clean = Enumerable.Range(0, n).Select(Demand).ToArray();
        var mask = Enumerable.Range(0, n).Select(i => i >= Day + Day / 2 && i < 2 * Day + Day / 2).ToArray();
        var outage = clean.Select((v, i) => mask[i] ? 0 : v).ToArray();
        return (clean, outage, mask);
    }

    private static DemandPath? Fit(IReadOnlyList<double> history, IReadOnlyList<bool>? mask) =>
        DemandForecaster.Forecast(history, T0, Step, T0 + Step * history.Count, Step, TimeSpan.FromDays(7), 12, "mstl",
            [TimeSpan.FromDays(1), TimeSpan.FromDays(7)], 12, missing: mask);

    [Fact]
    public void FillMissing_TakesTheBucketASeasonEarlier_OrInterpolates_AndFailsWithoutData()
    {
        // No season: linear between the nearest buckets with data; the nearest one at either end.
        var y = new double[] { 0, 1, 2, 0, 0, 5, 0 };
        Assert.True(DemandForecaster.FillMissing(y, [false, true, true, false, false, true, false], 0));
        Assert.Equal([1, 1, 2, 3, 4, 5, 5], y);
        // Season 2: a bucket without data takes the bucket 2 earlier (data or itself filled); before that, interpolation.
        y = [0, 7, 1, 2, 0, 0, 0];
        Assert.True(DemandForecaster.FillMissing(y, [false, true, true, true, false, false, false], 2));
        Assert.Equal([7, 7, 1, 2, 1, 2, 1], y);
        Assert.False(DemandForecaster.FillMissing(new double[3], new bool[3], 2));
    }

    [Fact]
    public void Forecast_LeavesMissingIntervalsOutOfTheFit()
    {
        var (clean, withOutage, mask) = FourDays();
        var reference = Fit(clean, null)!;
        var masked = Fit(withOutage, mask)!;
        var unmasked = Fit(withOutage, null)!;
        var now = T0 + Step * clean.Length;
        // With the mask the outage costs the fit only the wobble of the filled day: the forecast stays within 3 % of
        // the fit on the full data and its 95 % band no more than 1.5 × as wide.
        for (var h = 0; h < 12; h++)
        {
            var at = now + Step * h;
            Assert.InRange(masked.QuantileAt(at, 0.5), 0.97 * reference.QuantileAt(at, 0.5), 1.03 * reference.QuantileAt(at, 0.5));
        }
        var refWidth = reference.QuantileAt(now, 0.975) - reference.QuantileAt(now, 0.5);
        var maskedWidth = masked.QuantileAt(now, 0.975) - masked.QuantileAt(now, 0.5);
        Assert.True(refWidth > 0);
        Assert.True(maskedWidth < 1.5 * refWidth, $"masked band {maskedWidth:0.0} against {refWidth:0.0} on the full data");
        // Fitted as demand (the mask ignored), the day of zeros widens the band several-fold: what the mask prevents.
        var unmaskedWidth = unmasked.QuantileAt(now, 0.975) - unmasked.QuantileAt(now, 0.5);
        Assert.True(unmaskedWidth > 3 * refWidth, $"unmasked band {unmaskedWidth:0.0} against {refWidth:0.0} on the full data");
    }

    [Fact]
    public void Forecast_WholeHistoryMissing_GivesNoForecast()
    {
        var history = new double[2 * Day];
        Assert.Null(Fit(history, Enumerable.Repeat(true, history.Length).ToArray()));
    }

    [Fact]
    public void Forecast_MaskShorterThanTheHistory_IsAnErrorNamingBothLengths()
    {
        var ex = Assert.Throws<ArgumentException>(() => Fit(new double[100], new bool[99]));
        Assert.Contains("99 entries for 100 history intervals", ex.Message);
    }

    private sealed class Recorder : IScalingPolicy
    {
        public List<(int Count, bool[]? Missing)> Seen { get; } = [];

        public string Name => "recorder";

        public IReadOnlyDictionary<string, int>? Decide(PolicyContext context)
        {
            Seen.Add((context.History.Count, context.HistoryMissing?.ToArray()));
            return new Dictionary<string, int> { [context.DefaultTier] = 40 };
        }
    }

    [Fact]
    public void Simulator_HandsTheTracesMissingMaskToThePolicies_AlignedWithTheHistory()
    {
        var world = new WorldOptions { FailureRatePerHour = 0, WarmUp = TimeSpan.Zero, Tiers = [WorldOptions.DefaultTiers[0]] };
        var values = Enumerable.Range(0, 120).Select(i => i is >= 40 and < 80 ? 0.0 : 600).ToList();
        var trace = DemandTrace.Create("outage", T0, TimeSpan.FromMinutes(1), values).Trace!.WithZeroRunsAsMissing(TimeSpan.FromMinutes(30));
        var recorder = new Recorder();
        var (r, errors) = Simulator.Run(trace, [recorder], world);
        Assert.Empty(errors);
        Assert.NotNull(r);
        Assert.NotEmpty(recorder.Seen);
        foreach (var (count, missing) in recorder.Seen)
        {
            Assert.NotNull(missing);
            Assert.Equal(count, missing!.Length);
            Assert.Equal(Enumerable.Range(0, count).Select(i => i is >= 40 and < 80), missing);
        }
        Assert.Contains(recorder.Seen, s => s.Missing!.Count(m => m) == 40);

        // A trace without gaps hands no mask.
        var clean = new Recorder();
        Simulator.Run(DemandTrace.Create("clean", T0, TimeSpan.FromMinutes(1), Enumerable.Repeat(600.0, 120).ToList()).Trace!, [clean], world);
        Assert.All(clean.Seen, s => Assert.Null(s.Missing));
    }

    [Fact]
    public void AwsPolicy_AfterAnOutage_PlansFromTheDemandAroundIt_NotFromTheZeros()
    {
        // Four days; a 12-h outage that ended an hour ago (zeros, marked missing).
        var clean = Enumerable.Range(0, 4 * Day).Select(Demand).ToArray();
        var mask = Enumerable.Range(0, clean.Length).Select(i => i >= clean.Length - 13 * 12 && i < clean.Length - 12).ToArray();
        var withOutage = clean.Select((v, i) => mask[i] ? 0 : v).ToArray();
        var world = new WorldOptions { FailureRatePerHour = 0, WarmUp = TimeSpan.Zero, Tiers = [WorldOptions.DefaultTiers[0]] };
        var now = T0 + Step * clean.Length;
        var none = new Dictionary<string, int> { ["on-demand"] = 0 };
        var one = new Dictionary<string, int> { ["on-demand"] = 1 };
        int Plan(double[] history, bool[]? m)
        {
            // Observed load tiny and one replica asked for: the dynamic rule alone would keep 1; the forecast sets the floor.
            var ctx = new PolicyContext(now, 1, history, T0, Step, one, none, one, world, new SimulatedClock(now), HistoryMissing: m);
            return new AwsPredictivePolicy().Decide(ctx)!["on-demand"];
        }
        var reference = Plan(clean, null);
        var masked = Plan(withOutage, mask);
        Assert.True(reference > 1);
        Assert.InRange(masked, reference - 1, reference + 1);
        // Fitted as demand, the 12 h of zeros drag the plan down: what the mask prevents.
        Assert.True(Plan(withOutage, null) < reference - 1, $"unmasked plan {Plan(withOutage, null)} against {reference}");
    }
}
