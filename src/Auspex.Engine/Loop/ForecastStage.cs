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
internal sealed class ForecastStage : IDisposable
{
    private static readonly IReadOnlyList<double> QuantileLevels = Forecast.DefaultLevels;
    private readonly EngineOptions _options;

    private bool _restored;

    public ForecastStage(EngineOptions options, TimeProvider? clock = null)
    {
        _options = options;
        Models = new LiveForecaster(new LiveForecasterOptions
        {
            Model = options.ForecastModel,
            MaxSelectionsPerTick = options.MaxSelectionsPerTick,
            SelectionWorkers = options.SelectionWorkers,
            Retrain = new Forecasting.RetrainPolicyOptions
            {
                Interval = options.RetrainInterval,
                DegradationRatio = options.RetrainDegradation,
                MinInterval = TimeSpan.FromTicks(Math.Min(options.RetrainInterval.Ticks, TimeSpan.FromMinutes(15).Ticks)),
            },
        }, clock);
    }

    /// <summary>Stops the background selection workers.</summary>
    public void Dispose() => Models.Dispose();

    /// <summary>Persisted selections that could not be used at start (series and why); they are selected again.</summary>
    public IReadOnlyList<(string Series, string Error)> RestoreErrors { get; private set; } = [];

    /// <summary>
    /// Once, before the first forecast: loads the persisted model selections of <paramref name="tenant"/>, so a restart
    /// forecasts with them instead of selecting every series again (automatic selection only).
    /// </summary>
    public async Task RestoreOnceAsync(Storage.IModelStore store, TenantId tenant, CancellationToken ct)
    {
        if (_restored)
        {
            return;
        }
        _restored = true;
        if (!Models.Options.Model.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        var errors = new List<(string, string)>();
        var selections = new List<SeriesSelection>();
        foreach (var stored in await store.LoadModelSelectionsAsync(tenant, ct).ConfigureAwait(false))
        {
            if (SeriesSelection.FromJson(stored.Json, out var error) is { } sel)
            {
                selections.Add(sel);
            }
            else
            {
                errors.Add((stored.Series, "stored selection unreadable: " + error));
            }
        }
        errors.AddRange(Models.Restore(selections));
        RestoreErrors = errors;
    }

    /// <summary>Writes the selections that finished since the last call (one transaction); returns how many.</summary>
    public async Task<int> PersistAsync(Storage.IModelStore store, TenantId tenant, CancellationToken ct)
    {
        var done = Models.TakeCompletedSelections();
        if (done.Count > 0)
        {
            await store.SaveModelSelectionsAsync(tenant,
                [.. done.Select(s => new Storage.StoredModelSelection(s.Series, s.SelectedAt, s.ModelName, s.Reason, s.ToJson()))], ct).ConfigureAwait(false);
        }
        return done.Count;
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
