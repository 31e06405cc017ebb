using Auspex.Core.Forecasts;
using Auspex.Core.Series;
using Auspex.Forecasting.Live;

namespace Auspex.Engine.Loop;

/// <summary>
/// Turns each series' recent window into a probabilistic forecast: infers the step, puts the samples on a regular
/// grid (gaps filled by linear interpolation), and hands it to the <see cref="LiveForecaster"/>, which selects each
/// series' model by rolling-origin cross-validation, keeps the choice, refits only the chosen model at each tick and
/// re-selects on schedule or when the live error degrades (<see cref="EngineOptions.ForecastModel"/>,
/// <see cref="EngineOptions.RetrainInterval"/>, <see cref="EngineOptions.RetrainDegradation"/>).
/// </summary>
internal sealed class ForecastStage
{
    private static readonly IReadOnlyList<double> QuantileLevels = Forecast.DefaultLevels;
    private readonly EngineOptions _options;

    public ForecastStage(EngineOptions options)
    {
        _options = options;
        Models = new LiveForecaster(new LiveForecasterOptions
        {
            Model = options.ForecastModel,
            MaxSelectionsPerTick = options.MaxSelectionsPerTick,
            Retrain = new Forecasting.RetrainPolicyOptions
            {
                Interval = options.RetrainInterval,
                DegradationRatio = options.RetrainDegradation,
                MinInterval = TimeSpan.FromTicks(Math.Min(options.RetrainInterval.Ticks, TimeSpan.FromMinutes(15).Ticks)),
            },
        });
    }

    /// <summary>Retrain requests from the anomaly stage (a level shift on a series); null when none are wired.</summary>
    public Anomalies.IRetrainSignals? RetrainSignals { get; set; }

    /// <summary>The per-series model choices (read by the API).</summary>
    public LiveForecaster Models { get; }

    public Forecast? ForecastOne(SeriesKey key, IReadOnlyList<Sample> window, DateTimeOffset now)
    {
        if (window.Count < 3)
        {
            return null;
        }
        var step = InferStep(window);
        if (step <= TimeSpan.Zero)
        {
            return null;
        }
        var y = Regularise(window, step);
        var horizon = Math.Max(1, (int)Math.Ceiling(_options.Horizon / step));
        var season = (int)Math.Round(_options.Season / step);
        // The main season and, when it fits twice in the history, the weekly one for MSTL.
        int[] seasons = season >= 2 ? (y.Length >= 14 * season ? [season, 7 * season] : [season]) : [];
        var last = window[^1].At;
        if (RetrainSignals is not null && RetrainSignals.TryTake(key, out var signal))
        {
            Models.RequestRetrain(key.ToString(), "anomaly: " + signal.Reason);
        }
        var output = Models.Forecast(key.ToString(), y, last, step, horizon, seasons, _options.Levels, now);
        if (!output.IsSuccess)
        {
            output = new Forecasting.Models.Naive().Forecast(y, horizon, _options.Levels);
            if (!output.IsSuccess)
            {
                return null;
            }
        }
        var forecast = output.ToForecast(key, now, last + step, step, QuantileLevels);
        // Usage, rates and counts cannot go below zero: when the history never did, neither does the forecast.
        return y.Min() >= 0 ? ClipAtZero(forecast) : forecast;
    }

    internal static Forecast ClipAtZero(Forecast f) =>
        f with { Points = f.Points.Select(p => new ForecastPoint(p.At, Math.Max(0, p.Mean), p.Quantiles.Select(q => Math.Max(0, q)).ToArray())).ToList() };

    /// <summary>The median spacing of the window's samples.</summary>
    internal static TimeSpan InferStep(IReadOnlyList<Sample> window)
    {
        var n = Math.Min(window.Count - 1, 256);
        var diffs = new long[n];
        for (var i = 0; i < n; i++)
        {
            var j = window.Count - 1 - i;
            diffs[i] = (window[j].At - window[j - 1].At).Ticks;
        }
        Array.Sort(diffs);
        return TimeSpan.FromTicks(diffs[n / 2]);
    }

    /// <summary>Values on a regular grid ending at the last sample; gaps are interpolated linearly.</summary>
    internal static double[] Regularise(IReadOnlyList<Sample> window, TimeSpan step)
    {
        var last = window[^1].At;
        var count = (int)Math.Min(((last - window[0].At) / step) + 1, 100_000);
        var first = last - step * (count - 1);
        var y = new double[count];
        var j = 0;
        for (var i = 0; i < count; i++)
        {
            var t = first + step * i;
            while (j + 1 < window.Count && window[j + 1].At <= t)
            {
                j++;
            }
            var a = window[j];
            if (a.At >= t || j + 1 >= window.Count)
            {
                y[i] = a.Value;
                continue;
            }
            var b = window[j + 1];
            var frac = (t - a.At) / (b.At - a.At);
            y[i] = a.Value + frac * (b.Value - a.Value);
        }
        return y;
    }
}
