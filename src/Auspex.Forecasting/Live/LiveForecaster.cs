using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Auspex.Forecasting.Internal;
using Auspex.Forecasting.Models;

namespace Auspex.Forecasting.Live;

/// <summary>Options of <see cref="LiveForecaster"/>; every default documented.</summary>
public sealed class LiveForecasterOptions
{
    /// <summary>
    /// <c>auto</c> (default): per-series selection by rolling-origin cross-validation over
    /// <see cref="AutoSelect.DefaultCandidates"/>; or any fixed <see cref="ModelCatalog"/> name except <c>global</c>
    /// (e.g. <c>snaive</c>, the behaviour before automatic selection).
    /// </summary>
    public string Model { get; init; } = "auto";

    /// <summary>
    /// Cross-validation windows (origins) per selection; each is one forecast horizon long. Default 3; raised for short
    /// horizons so that at least 24 held-out points are scored (at most 12 windows).
    /// </summary>
    public int CrossValidationWindows { get; init; } = 3;

    /// <summary>When a series' model is re-selected: on a schedule and when its live error degrades (defaults of <see cref="RetrainPolicyOptions"/>).</summary>
    public RetrainPolicyOptions Retrain { get; init; } = new();

    /// <summary>
    /// At most this many series are (re)selected per tick, so a cold start over many series spreads over a few ticks;
    /// series waiting for their first selection use the seasonal-naive baseline meanwhile. 0 = no limit. Default 5.
    /// </summary>
    public int MaxSelectionsPerTick { get; init; } = 5;

    /// <summary>
    /// Background selection workers. With 1 or more (default 1), (re)selection runs off the caller's thread: a series
    /// due for selection is queued (once) and keeps its current model — or the seasonal-naive baseline before its first
    /// selection — until the selection lands; <see cref="LiveForecaster.Forecast"/> never waits on cross-validation and
    /// <see cref="MaxSelectionsPerTick"/> does not apply. 0 runs selection inline in the caller, at most
    /// <see cref="MaxSelectionsPerTick"/> per tick (the behaviour before the queue).
    /// </summary>
    public int SelectionWorkers { get; init; } = 1;

    /// <summary>At most this many series wait in the selection queue or are being selected; a series that finds it full is queued at a later call. Default 10 000.</summary>
    public int MaxQueuedSelections { get; init; } = 10_000;

    /// <summary>Live forecast errors kept per series (oldest dropped). Default 288.</summary>
    public int MaxLiveErrors { get; init; } = 288;

    /// <summary>Throws naming the first option out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Model);
        // Models trained across a whole input first (global, gbt, auto+gbt, auto+gbt-w) have no per-series factory.
        if (!ModelCatalog.Descriptions.ContainsKey(Model) || ModelCatalog.IsGlobal(Model))
        {
            throw new ArgumentException($"LiveForecasterOptions.Model '{Model}' is unknown or not a per-series model; use auto or one of {string.Join(", ", ModelCatalog.Descriptions.Keys.Where(k => !ModelCatalog.IsGlobal(k)))}.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(CrossValidationWindows, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxSelectionsPerTick);
        ArgumentOutOfRangeException.ThrowIfNegative(SelectionWorkers);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedSelections, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLiveErrors, 1);
        ArgumentNullException.ThrowIfNull(Retrain);
        Retrain.Validate();
    }
}

/// <summary>One candidate's cross-validation summary for a series.</summary>
/// <param name="Model">Candidate name.</param>
/// <param name="Rank">1 = best; failed candidates rank last.</param>
/// <param name="MeanMae">Mean absolute error over the windows (NaN if the candidate failed or fell back in a window).</param>
/// <param name="MeanSmape">Mean sMAPE (percent) over the windows it produced.</param>
/// <param name="Windows">Per-origin results.</param>
/// <param name="Failure">Why it failed or fell back in some window, if it did.</param>
public sealed record CandidateScore(string Model, int Rank, double MeanMae, double MeanSmape, IReadOnlyList<CrossValidationRow> Windows, string? Failure);

/// <summary>What the live forecaster currently uses for one series, and why — what an API or dashboard shows.</summary>
/// <param name="Series">The series id given by the caller.</param>
/// <param name="Model">The model producing this series' forecasts now (e.g. <c>ETS(A,Ad,N)</c>, <c>SeasonalNaive</c>).</param>
/// <param name="Selected">The candidate(s) cross-validation chose (empty before the first selection).</param>
/// <param name="Status">Ok, or Fallback with <paramref name="Reason"/> (too short for cross-validation, awaiting selection …).</param>
/// <param name="Reason">Why the series is on a fallback, if it is.</param>
/// <param name="LastRetrain">When the model was last selected, on the caller's clock (null: never).</param>
/// <param name="RetrainReason">Why it was last selected (never fitted, scheduled, degraded …).</param>
/// <param name="Retrains">Selections so far.</param>
/// <param name="BacktestMae">Cross-validation MAE of the chosen model(s) at the last selection (NaN if none).</param>
/// <param name="LiveMae">Mean absolute error of the forecasts issued since then, over their whole horizon, as actuals arrived (NaN if none yet).</param>
/// <param name="LiveForecastsScored">How many issued forecasts have been scored against actuals since the last selection.</param>
/// <param name="Step">The series' step.</param>
/// <param name="Horizon">Steps forecast.</param>
/// <param name="Seasons">Seasonal periods in steps considered.</param>
/// <param name="Candidates">Cross-validation table of the last selection, best first (empty before the first).</param>
public sealed record SeriesModelInfo(
    string Series, string Model, IReadOnlyList<string> Selected, ForecastStatus Status, string? Reason,
    DateTimeOffset? LastRetrain, string? RetrainReason, int Retrains, double BacktestMae, double LiveMae, int LiveForecastsScored,
    TimeSpan Step, int Horizon, IReadOnlyList<int> Seasons, IReadOnlyList<CandidateScore> Candidates)
{
    /// <summary>True while the series waits in (or is being worked on by) the background selection queue.</summary>
    public bool SelectionQueued { get; init; }

    /// <summary>How long the last selection's cross-validation took, on the forecaster's clock (null: none yet).</summary>
    public TimeSpan? SelectionDuration { get; init; }

    /// <summary>True when the choice in use was loaded from a persisted selection (not selected since the start).</summary>
    public bool Restored { get; init; }
}

/// <summary>The background selection queue at a glance (status output).</summary>
/// <param name="Workers">Background workers (0: selection runs inline in the caller).</param>
/// <param name="Queued">Series waiting for a worker.</param>
/// <param name="Running">Selections in progress.</param>
/// <param name="Completed">Selections finished since the start (failed ones included).</param>
/// <param name="Failed">Selections that found no usable model (the series stays on its baseline).</param>
/// <param name="Restored">Selections loaded from the store at start.</param>
/// <param name="LastSeries">The series of the last finished selection.</param>
/// <param name="LastDuration">How long that selection took.</param>
/// <param name="LastCompletedAt">When it finished, on the forecaster's clock.</param>
public sealed record SelectionQueueStatus(
    int Workers, int Queued, int Running, long Completed, long Failed, int Restored, string? LastSeries, TimeSpan? LastDuration, DateTimeOffset? LastCompletedAt);

/// <summary>
/// The engine's forecaster for many live series: selects each series' model by rolling-origin cross-validation
/// (<see cref="AutoSelect"/>), keeps the choice (with the ETS spec or MSTL remainder model it found pinned) and its
/// cross-validation errors, refits only the chosen model on the newest data at each call, and re-selects when
/// <see cref="RetrainPolicy"/> says so — on schedule, or when the live error of the issued forecasts degrades past the
/// backtest error. Intervals are conformal from the selection's cross-validation errors. Selection runs on background
/// workers (<see cref="LiveForecasterOptions.SelectionWorkers"/>) fed by a bounded queue, so a forecast never waits on
/// cross-validation; finished selections can be persisted (<see cref="TakeCompletedSelections"/>) and loaded again at
/// start (<see cref="Restore"/>). Thread-safe: different series may be forecast in parallel.
/// </summary>
public sealed class LiveForecaster : IDisposable
{
    private readonly ConcurrentDictionary<string, SeriesState> _states = new(StringComparer.Ordinal);
    private readonly RetrainPolicy _policy;
    private readonly TimeProvider _clock;
    private readonly object _budgetGate = new();
    private readonly object _queueGate = new();
    private readonly Channel<SelectionJob> _queue = Channel.CreateUnbounded<SelectionJob>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly ConcurrentQueue<SeriesSelection> _completed = new();
    private readonly CancellationTokenSource _stop = new();
    private Task[]? _workers;
    private TaskCompletionSource? _idle;
    private int _queued;
    private int _running;
    private long _finished;
    private long _failedSelections;
    private int _restored;
    private string? _lastSeries;
    private TimeSpan? _lastDuration;
    private DateTimeOffset? _lastCompletedAt;
    private DateTimeOffset _budgetTick = DateTimeOffset.MinValue;
    private int _budgetUsed;

    /// <summary>Creates a forecaster.</summary>
    /// <param name="options">The options (defaults when null).</param>
    /// <param name="clock">Times selections (selected-at, duration); <see cref="TimeProvider.System"/> when null.</param>
    public LiveForecaster(LiveForecasterOptions? options = null, TimeProvider? clock = null)
    {
        Options = options ?? new LiveForecasterOptions();
        Options.Validate();
        _policy = new RetrainPolicy(Options.Retrain);
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The background selection queue now.</summary>
    public SelectionQueueStatus SelectionQueue
    {
        get
        {
            lock (_queueGate)
            {
                return new SelectionQueueStatus(Options.SelectionWorkers, _queued, _running, _finished, _failedSelections, _restored,
                    _lastSeries, _lastDuration, _lastCompletedAt);
            }
        }
    }

    /// <summary>Completes when no selection is queued or running (tests; a clean shutdown).</summary>
    public Task WhenIdleAsync()
    {
        lock (_queueGate)
        {
            if (_queued + _running == 0)
            {
                return Task.CompletedTask;
            }
            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }

    /// <summary>
    /// The selections that finished since the last call (oldest first), for the caller to persist. Only automatic
    /// selections whose every model has a <see cref="ModelDescriptor"/> are reported.
    /// </summary>
    public IReadOnlyList<SeriesSelection> TakeCompletedSelections()
    {
        var list = new List<SeriesSelection>();
        while (_completed.TryDequeue(out var s))
        {
            list.Add(s);
        }
        return list;
    }

    /// <summary>
    /// Loads persisted selections (e.g. after a restart), so that those series are forecast with their chosen model at
    /// once instead of being selected again; the schedule counts from each selection's time. A series already known
    /// here is left alone. Returns, per selection that could not be used, the series and why.
    /// </summary>
    public IReadOnlyList<(string Series, string Error)> Restore(IEnumerable<SeriesSelection> selections)
    {
        ArgumentNullException.ThrowIfNull(selections);
        var errors = new List<(string, string)>();
        foreach (var sel in selections)
        {
            var models = new List<IForecastModel>();
            string? error = null;
            foreach (var d in sel.Models)
            {
                var m = ModelDescriptor.Parse(d, out error);
                if (m is null)
                {
                    break;
                }
                models.Add(m);
            }
            if (models.Count != sel.Models.Count || models.Count == 0)
            {
                errors.Add((sel.Series, error ?? "no model"));
                continue;
            }
            var state = new SeriesState(sel.Series);
            state.Reset(sel.Step, sel.Horizon, [.. sel.Seasons.Where(p => p > 1).Distinct()], null);
            state.Chosen = [.. models];
            state.Selected = [.. sel.Selected];
            state.CvAbsErrors = sel.CvAbsErrors;
            state.Candidates = sel.Candidates;
            state.LastFit = sel.SelectedAt;
            state.RetrainReason = sel.Reason;
            state.Retrains = sel.Retrains;
            state.BacktestMae = sel.BacktestMae;
            state.LastDuration = sel.Duration;
            state.Restored = true;
            state.Status = ForecastStatus.Ok;
            if (_states.TryAdd(sel.Series, state))
            {
                lock (_queueGate)
                {
                    _restored++;
                }
            }
        }
        return errors;
    }

    /// <summary>Stops the background workers (queued selections are dropped).</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stop.Cancel();
        _stop.Dispose();
    }

    /// <summary>The options.</summary>
    public LiveForecasterOptions Options { get; }

    /// <summary>
    /// Forecasts one series from its regular history <paramref name="y"/> (oldest first, last value at
    /// <paramref name="lastAt"/>, spaced <paramref name="step"/>); scores earlier forecasts of the series against the
    /// new actuals, re-selects the model if due (and the tick's budget allows), and returns the forecast.
    /// </summary>
    /// <param name="series">Stable series id.</param>
    /// <param name="y">History on a regular grid, no NaN.</param>
    /// <param name="lastAt">Time of the last value.</param>
    /// <param name="step">Grid spacing.</param>
    /// <param name="horizon">Steps to forecast (also the cross-validation window).</param>
    /// <param name="seasons">Seasonal periods in steps (first = main); periods below 2 are ignored.</param>
    /// <param name="levels">Central interval levels in percent.</param>
    /// <param name="now">The caller's clock (tick time): decides retraining and the per-tick budget.</param>
    public ForecastOutput Forecast(
        string series, ReadOnlySpan<double> y, DateTimeOffset lastAt, TimeSpan step, int horizon, IReadOnlyList<int> seasons,
        IReadOnlyList<double> levels, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(seasons);
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        var periods = seasons.Where(s => s > 1).Distinct().ToArray();
        var state = _states.GetOrAdd(series, s => new SeriesState(s));
        lock (state)
        {
            if (state.Step != step || state.Horizon != horizon || !state.Seasons.SequenceEqual(periods))
            {
                state.Reset(step, horizon, periods, state.Step == TimeSpan.Zero ? null : "step, horizon or seasons changed");
            }
            state.Levels = levels;
            ScorePending(state, y, lastAt);
            var output = Decide(state, y, lastAt, now);
            if (output.IsSuccess)
            {
                state.Pending.Add(new PendingForecast(lastAt + step, output.Mean));
                if (state.Pending.Count > 4 * horizon + 16)
                {
                    state.Pending.RemoveAt(0);
                }
                state.CurrentModel = output.Model;
            }
            return output;
        }
    }

    /// <summary>
    /// Asks for <paramref name="series"/> to be re-selected at its next forecast (e.g. the anomaly stage saw a level
    /// shift); the selection still counts against the per-tick budget. False when the series was never forecast.
    /// </summary>
    /// <remarks>With background workers the selection is queued instead, and the series keeps its current model until it lands.</remarks>
    public bool RequestRetrain(string series, string reason)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (!_states.TryGetValue(series, out var state))
        {
            return false;
        }
        lock (state)
        {
            state.Reset(state.Step, state.Horizon, state.Seasons, reason);
        }
        return true;
    }

    /// <summary>What every series uses now, ordered by series id.</summary>
    public IReadOnlyList<SeriesModelInfo> Snapshot() =>
        _states.Values.OrderBy(s => s.Series, StringComparer.Ordinal).Select(Info).ToList();

    /// <summary>What <paramref name="series"/> uses now, or null if it was never forecast.</summary>
    public SeriesModelInfo? Get(string series) => _states.TryGetValue(series, out var s) ? Info(s) : null;

    /// <summary>Forgets series not in <paramref name="keep"/> (e.g. deleted hosts).</summary>
    public void Retain(IReadOnlySet<string> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        foreach (var id in _states.Keys)
        {
            if (!keep.Contains(id))
            {
                _states.TryRemove(id, out _);
            }
        }
    }

    private static SeriesModelInfo Info(SeriesState s)
    {
        lock (s)
        {
            var live = s.Live.Count == 0 ? double.NaN : s.Live.Average();
            return new SeriesModelInfo(s.Series, s.CurrentModel ?? (s.Chosen is null ? "" : ChosenName(s)), [.. s.Selected], s.Status, s.Reason, s.LastFit, s.RetrainReason,
                s.Retrains, s.BacktestMae, live, s.Live.Count, s.Step, s.Horizon, [.. s.Seasons], s.Candidates)
            {
                SelectionQueued = s.Queued,
                SelectionDuration = s.LastDuration,
                Restored = s.Restored,
            };
        }
    }

    private CrossValidationOptions CvOptions(SeriesState s) => new()
    {
        Horizon = s.Horizon,
        // Short horizons get more windows, so every candidate is judged on at least 24 held-out points (at most 12 windows).
        Windows = Math.Max(Options.CrossValidationWindows, Math.Min(12, (24 + s.Horizon - 1) / s.Horizon)),
        MinTrainLength = Math.Max(2 * (s.Seasons.Length > 0 ? s.Seasons[0] : 1), 24),
    };

    private ForecastOutput Decide(SeriesState s, ReadOnlySpan<double> y, DateTimeOffset lastAt, DateTimeOffset now)
    {
        var auto = Options.Model.Equals("auto", StringComparison.OrdinalIgnoreCase);
        var canValidate = auto && CvOptions(s).Origins(y.Length).Length > 0;
        RetrainDecision decision;
        if (s.Chosen is null)
        {
            decision = new(true, s.ResetReason ?? "never fitted");
        }
        else if (s.Provisional && canValidate)
        {
            decision = new(true, "enough history for cross-validation");
        }
        else if (s.Provisional)
        {
            decision = new(false, "too short for cross-validation");
        }
        else
        {
            decision = _policy.Decide(now, s.LastFit, s.BacktestMae, s.Live);
        }
        if (decision.Retrain)
        {
            if (!auto)
            {
                s.Chosen = [ModelCatalog.Create(Options.Model, s.Seasons, s.Horizon)!];
                s.Fits = null;
                s.Selected = [s.Chosen[0].Name];
                s.Provisional = false;
                MarkRetrained(s, now, decision.Reason, double.NaN);
            }
            else if (!canValidate)
            {
                // Too short for any window: the baseline until enough history arrives (re-checked at every call, cheaply).
                s.Chosen = [Baseline(s, y.Length)];
                s.Fits = null;
                s.Selected = [];
                s.Provisional = true;
                s.CvAbsErrors = null;
                s.Candidates = [];
                s.RetrainReason = decision.Reason;
                s.Status = ForecastStatus.Fallback;
                s.Reason = string.Create(CultureInfo.InvariantCulture,
                    $"{y.Length} points are too few for cross-validation ({s.Horizon}-step windows after at least {CvOptions(s).MinTrainLength}); baseline {s.Chosen[0].Name}");
            }
            else if (Options.SelectionWorkers > 0)
            {
                var queued = s.Queued || Enqueue(s, y, lastAt, decision.Reason);
                if (s.Chosen is null)
                {
                    s.Chosen = [Baseline(s, y.Length)];
                    s.Provisional = true;
                    s.Status = ForecastStatus.Fallback;
                    s.Reason = (queued ? "awaiting selection (queued); baseline " : "awaiting selection (the queue is full); baseline ") + s.Chosen[0].Name;
                    s.RetrainReason = "awaiting selection";
                }
            }
            else if (TakeBudget(now))
            {
                var output = Select(s, y, lastAt, now, decision.Reason);
                if (output is not null)
                {
                    return output;
                }
            }
            else if (s.Chosen is null)
            {
                s.Chosen = [Baseline(s, y.Length)];
                s.Provisional = true;
                s.Status = ForecastStatus.Fallback;
                s.Reason = "awaiting selection (this tick's selection budget is spent); baseline " + s.Chosen[0].Name;
                s.RetrainReason = "awaiting selection";
            }
        }
        return Refresh(s, y, lastAt);
    }

    private static IForecastModel Baseline(SeriesState s, int n) =>
        s.Seasons.Length > 0 && n >= 2 * s.Seasons[0] ? new SeasonalNaive(s.Seasons[0]) : new Naive();

    private ForecastOutput? Select(SeriesState s, ReadOnlySpan<double> y, DateTimeOffset lastAt, DateTimeOffset now, string why)
    {
        var start = _clock.GetTimestamp();
        var fit = new AutoSelect(AutoSelect.DefaultCandidates(s.Seasons), new AutoSelectOptions { CrossValidation = CvOptions(s) }).Fit(y);
        var duration = _clock.GetElapsedTime(start);
        if (!Apply(s, fit, y.Length, lastAt, now, why, duration))
        {
            return null;
        }
        var output = fit.Predict(s.Horizon, s.Levels ?? [80, 95]);
        // Present it under the pinned model's name (e.g. ETS(A,Ad,N)) so the stored forecast says what ran.
        return output.IsSuccess ? output.WithModel(ChosenName(s)) : null;
    }

    /// <summary>Takes a finished selection into the series' state (caller holds the state's lock). False when it failed.</summary>
    private bool Apply(SeriesState s, IFittedForecastModel fit, int n, DateTimeOffset lastAt, DateTimeOffset now, string why, TimeSpan duration, string? crash = null)
    {
        s.LastDuration = duration;
        lock (_queueGate)
        {
            _finished++;
            _lastSeries = s.Series;
            _lastDuration = duration;
            _lastCompletedAt = now;
        }
        if (fit is not AutoSelect.ISelection sel || fit.Status == ForecastStatus.Failed)
        {
            lock (_queueGate)
            {
                _failedSelections++;
            }
            s.Chosen ??= [Baseline(s, n)];
            s.Provisional = true;
            s.Status = ForecastStatus.Fallback;
            s.Reason = "selection failed (" + (crash ?? fit.Reason ?? "no candidate could fit") + "); baseline " + s.Chosen[0].Name;
            return false;
        }
        s.Chosen = sel.Models.Select((m, i) => sel.Fits[i] is IPinnableFit p ? p.Pinned : m).ToArray();
        s.Fits = [.. sel.Fits];
        s.FitLastAt = lastAt;
        s.Selected = sel.Table?.Selected.ToArray() ?? [];
        s.CvAbsErrors = sel.AbsErrors;
        s.Provisional = sel.Table is null;
        s.Candidates = sel.Table is null ? [] : Scores(sel.Table);
        s.Restored = false;
        var backtest = double.NaN;
        if (sel.AbsErrors is { } errs)
        {
            var finite = errs.SelectMany(r => r).Where(double.IsFinite).ToArray();
            backtest = finite.Length > 0 ? finite.Average() : double.NaN;
        }
        MarkRetrained(s, now, why, backtest);
        s.Status = fit.Status;
        s.Reason = fit.Reason;
        s.CurrentModel = ChosenName(s);
        var descriptors = s.Chosen.Select(ModelDescriptor.Describe).ToArray();
        if (!s.Provisional && descriptors.All(d => d is not null))
        {
            _completed.Enqueue(new SeriesSelection(s.Series, s.Step, s.Horizon, [.. s.Seasons], descriptors!, [.. s.Selected], s.CvAbsErrors,
                s.Candidates, s.BacktestMae, now, why, s.Retrains, duration));
        }
        return true;
    }

    private bool Enqueue(SeriesState s, ReadOnlySpan<double> y, DateTimeOffset lastAt, string why)
    {
        lock (_queueGate)
        {
            if (_queued + _running >= Options.MaxQueuedSelections)
            {
                return false;
            }
            _queued++;
        }
        s.Queued = true;
        EnsureWorkers();
        _queue.Writer.TryWrite(new SelectionJob(s, s.Generation, y.ToArray(), lastAt, why, CvOptions(s), [.. s.Seasons]));
        return true;
    }

    private void EnsureWorkers()
    {
        if (Volatile.Read(ref _workers) is not null)
        {
            return;
        }
        lock (_queueGate)
        {
            _workers ??= [.. Enumerable.Range(0, Options.SelectionWorkers).Select(_ => Task.Run(WorkAsync))];
        }
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var job in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                lock (_queueGate)
                {
                    _queued--;
                    _running++;
                }
                try
                {
                    await RunJobAsync(job).ConfigureAwait(false);
                }
                finally
                {
                    lock (_queueGate)
                    {
                        _running--;
                        if (_queued + _running == 0 && _idle is not null)
                        {
                            _idle.TrySetResult();
                            _idle = null;
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    /// <summary>Test seam: awaited by a worker after it starts timing a selection and before it runs it.</summary>
    internal Func<Task>? SelectionGate { get; set; }

    private async Task RunJobAsync(SelectionJob job)
    {
        var start = _clock.GetTimestamp();
        if (SelectionGate is { } gate)
        {
            await gate().ConfigureAwait(false);
        }
        IFittedForecastModel fit;
        string? crash = null;
        try
        {
            fit = new AutoSelect(AutoSelect.DefaultCandidates(job.Seasons), new AutoSelectOptions { CrossValidation = job.Cv }).Fit(job.Y);
        }
#pragma warning disable CA1031 // A selection that throws must not stop the worker: the series keeps its baseline, with the reason.
        catch (Exception e)
#pragma warning restore CA1031
        {
            fit = new Naive().Fit([]);
            crash = e.GetType().Name + ": " + e.Message;
        }
        var duration = _clock.GetElapsedTime(start);
        var s = job.State;
        lock (s)
        {
            if (s.Generation != job.Generation)
            {
                return; // The series was reset (step, horizon or seasons changed, or a new retrain request) meanwhile.
            }
            s.Queued = false;
            Apply(s, fit, job.Y.Length, job.LastAt, _clock.GetUtcNow(), job.Reason, duration, crash);
        }
    }

    private static string ChosenName(SeriesState s) =>
        s.Chosen is null ? "" : s.Chosen.Length == 1 ? s.Chosen[0].Name : "Ensemble(" + string.Join('+', s.Chosen.Select(c => c.Name)) + ")";

    private static void MarkRetrained(SeriesState s, DateTimeOffset now, string why, double backtest)
    {
        s.LastFit = now;
        s.RetrainReason = why;
        s.Retrains++;
        s.BacktestMae = backtest;
        s.Live.Clear();
        s.Pending.Clear();
        s.Status = ForecastStatus.Ok;
        s.Reason = null;
    }

    private static ForecastOutput Refresh(SeriesState s, ReadOnlySpan<double> y, DateTimeOffset lastAt)
    {
        var levels = s.Levels ?? [80, 95];
        var chosen = s.Chosen!;
        if (s.CvAbsErrors is null || s.CvAbsErrors.Length == 0)
        {
            var single = chosen[0].Forecast(y, s.Horizon, levels);
            return s.Status == ForecastStatus.Fallback && s.Reason is not null && single.IsSuccess ? single.AsFallback(s.Reason) : single;
        }
        // Bring each chosen fit up to date: re-apply its parameters to the new window when it can (cheap), else refit
        // the pinned model (parameters re-estimated, structure kept).
        var advancedSteps = (lastAt - s.FitLastAt) / s.Step;
        var advanced = s.Fits is null ? -1 : (int)Math.Round(advancedSteps);
        var fits = s.Fits ?? new IFittedForecastModel[chosen.Length];
        var mean = new double[s.Horizon];
        var fitted = Array.Empty<double>();
        for (var c = 0; c < chosen.Length; c++)
        {
            IFittedForecastModel? fit = null;
            var aligned = s.Fits is not null && advanced >= 0 && Math.Abs(advancedSteps - advanced) < 0.25;
            if (aligned && advanced == 0)
            {
                fit = fits[c];
            }
            else if (aligned && fits[c] is IRefreshableFit r)
            {
                fit = r.Refresh(y, advanced);
            }
            fit ??= chosen[c].Fit(y);
            fits[c] = fit;
            var f = fit.Predict(s.Horizon, []);
            if (!f.IsSuccess)
            {
                return f;
            }
            for (var i = 0; i < mean.Length; i++)
            {
                mean[i] += f.Mean[i] / chosen.Length;
            }
            fitted = chosen.Length == 1 ? f.Fitted : fitted;
        }
        s.Fits = fits;
        s.FitLastAt = lastAt;
        return Conformal.Apply(ChosenName(s), mean, s.CvAbsErrors, levels, fitted, s.Status, s.Reason);
    }

    private bool TakeBudget(DateTimeOffset now)
    {
        if (Options.MaxSelectionsPerTick == 0)
        {
            return true;
        }
        lock (_budgetGate)
        {
            if (now != _budgetTick)
            {
                _budgetTick = now;
                _budgetUsed = 0;
            }
            if (_budgetUsed >= Options.MaxSelectionsPerTick)
            {
                return false;
            }
            _budgetUsed++;
            return true;
        }
    }

    private void ScorePending(SeriesState s, ReadOnlySpan<double> y, DateTimeOffset lastAt)
    {
        var n = y.Length;
        for (var p = 0; p < s.Pending.Count;)
        {
            var f = s.Pending[p];
            var end = f.FirstAt + s.Step * (f.Mean.Length - 1);
            if (end > lastAt)
            {
                p++;
                continue;
            }
            double sum = 0;
            var count = 0;
            for (var i = 0; i < f.Mean.Length; i++)
            {
                var back = (lastAt - (f.FirstAt + s.Step * i)) / s.Step;
                var idx = n - 1 - (int)Math.Round(back);
                if (idx >= 0 && idx < n && Math.Abs(back - Math.Round(back)) < 0.25)
                {
                    sum += Math.Abs(y[idx] - f.Mean[i]);
                    count++;
                }
            }
            if (count > 0)
            {
                s.Live.Add(sum / count);
                if (s.Live.Count > Options.MaxLiveErrors)
                {
                    s.Live.RemoveAt(0);
                }
            }
            s.Pending.RemoveAt(p);
        }
    }

    private static List<CandidateScore> Scores(CrossValidationTable table)
    {
        var list = new List<CandidateScore>();
        var rank = 0;
        foreach (var (model, mae) in table.Ranking)
        {
            rank++;
            var rows = table.Rows.Where(r => r.Model == model).ToList();
            var smapes = rows.Select(r => r.Smape).Where(double.IsFinite).ToArray();
            var failure = rows.Select(r => r.Failure).FirstOrDefault(f => f is not null);
            list.Add(new CandidateScore(model, rank, double.IsFinite(mae) ? mae : double.NaN, smapes.Length > 0 ? smapes.Average() : double.NaN, rows, failure));
        }
        return list;
    }

    private sealed record PendingForecast(DateTimeOffset FirstAt, double[] Mean);

    private sealed record SelectionJob(SeriesState State, long Generation, double[] Y, DateTimeOffset LastAt, string Reason, CrossValidationOptions Cv, int[] Seasons);

    private sealed class SeriesState(string series)
    {
        public string Series { get; } = series;

        public TimeSpan Step { get; private set; }

        public int Horizon { get; private set; }

        public int[] Seasons { get; private set; } = [];

        public IReadOnlyList<double>? Levels { get; set; }

        public IForecastModel[]? Chosen { get; set; }

        public IFittedForecastModel[]? Fits { get; set; }

        public DateTimeOffset FitLastAt { get; set; }

        public string[] Selected { get; set; } = [];

        public double[][]? CvAbsErrors { get; set; }

        public bool Provisional { get; set; }

        public IReadOnlyList<CandidateScore> Candidates { get; set; } = [];

        public DateTimeOffset? LastFit { get; set; }

        public string? RetrainReason { get; set; }

        public int Retrains { get; set; }

        public double BacktestMae { get; set; } = double.NaN;

        public ForecastStatus Status { get; set; }

        public string? Reason { get; set; }

        public string? CurrentModel { get; set; }

        public List<double> Live { get; } = [];

        public List<PendingForecast> Pending { get; } = [];

        public string? ResetReason { get; private set; }

        /// <summary>Bumped by every reset, so a selection started before it is discarded when it lands.</summary>
        public long Generation { get; private set; }

        public bool Queued { get; set; }

        public TimeSpan? LastDuration { get; set; }

        public bool Restored { get; set; }

        public void Reset(TimeSpan step, int horizon, int[] seasons, string? why)
        {
            Generation++;
            Queued = false;
            Restored = false;
            ResetReason = why;
            Step = step;
            Horizon = horizon;
            Seasons = seasons;
            Chosen = null;
            Fits = null;
            Selected = [];
            CvAbsErrors = null;
            Provisional = false;
            Candidates = [];
            BacktestMae = double.NaN;
            Live.Clear();
            Pending.Clear();
        }
    }
}
