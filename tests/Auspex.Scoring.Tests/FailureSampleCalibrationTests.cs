using System.Globalization;
using Auspex.Testing;

namespace Auspex.Scoring.Tests;

/// <summary>The failure model on the OLCF Alpine 2022 sample (samples/failures): racks within storage clusters.</summary>
public sealed class FailureSampleCalibrationTests
{
    private static (string Rack, string Ssc, DateTimeOffset At)[] Load() =>
        File.ReadAllLines(RepoPaths.Samples("failures", "olcf_alpine_disk_failures_2022.csv")).Skip(1).Select(l =>
        {
            var f = l.Split(',');
            return ("rack" + f[9], "ssc" + f[2], DateTimeOffset.ParseExact(f[1], "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
        }).ToArray();

    [Fact]
    public void RollingWeeklyForecasts_SecondHalfOf2022_BeatTheBaseRate()
    {
        var events = Load();
        Assert.Equal(305, events.Length);
        var racks = events.Select(e => (e.Rack, e.Ssc)).Distinct().ToList();
        var start = new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.FromHours(-5));
        var week = TimeSpan.FromDays(7);
        var model = new List<(double, bool)>();
        var baseRate = new List<(double, bool)>();
        for (var t0 = start.AddDays(182); t0 + week <= start.AddDays(357); t0 += week)
        {
            var fit = FailureRateModel.Fit(racks.Select(r => new FailureExposure(r.Rack, [r.Ssc], FailureHistory.DiscountedHours(start, t0, TimeSpan.FromDays(90)),
                events.Where(e => e.Rack == r.Rack && e.At < t0).Sum(e => FailureHistory.Weight(t0 - e.At, TimeSpan.FromDays(90))))).ToList());
            // Base rate: fraction of past rack-weeks with a failure.
            long weeks = 0, hit = 0;
            for (var w = t0 - week; w >= start; w -= week)
            {
                foreach (var r in racks)
                {
                    weeks++;
                    hit += events.Any(e => e.Rack == r.Rack && e.At >= w && e.At < w + week) ? 1 : 0;
                }
            }
            foreach (var r in racks)
            {
                var y = events.Any(e => e.Rack == r.Rack && e.At >= t0 && e.At < t0 + week);
                model.Add((fit.Posterior([r.Ssc], r.Rack).ProbabilityOfFailure(week), y));
                baseRate.Add((hit / (double)weeks, y));
            }
        }
        var bModel = Calibration.Brier(model);
        var bBase = Calibration.Brier(baseRate);
        Assert.True(bModel <= bBase, $"model Brier {bModel:0.0000} vs base rate {bBase:0.0000}");
        Assert.InRange(model.Average(m => m.Item1), 0.05, 0.4); // sane level: 305 failures over 38 racks × 51 weeks ≈ 0.16/rack-week
    }
}
