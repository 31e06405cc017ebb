using System.Globalization;
using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting.Models;

/// <summary>Options of <see cref="GlobalBoosted"/>; every default documented.</summary>
public sealed class GlobalBoostedOptions
{
    /// <summary>Steps held out at the end of every training series: validation for early stopping and the conformal calibration horizon. Default 48.</summary>
    public int Horizon { get; init; } = 48;

    /// <summary>Main seasonal period in steps (hour-of-day feature; the seasonal lags are multiples of it). Default 24.</summary>
    public int Season { get; init; } = 24;

    /// <summary>Recent values used as features (lags 1…k before the target). Default 24.</summary>
    public int Lags { get; init; } = 24;

    /// <summary>Seasonal lags of the target (in steps), beyond <see cref="Lags"/>. Default 48, 168, 336 (two days, one and two weeks).</summary>
    public IReadOnlyList<int> SeasonalLags { get; init; } = [48, 168, 336];

    /// <summary>Every value is divided by the mean of the last this-many values at the forecast origin (per-series, per-window scaling). Default 168 (a week).</summary>
    public int ScaleWindow { get; init; } = 168;

    /// <summary>Position-in-period features: step mod <see cref="Season"/> and (step / Season) mod 7, counted from the start of the series. Default true.</summary>
    public bool Calendar { get; init; } = true;

    /// <summary>Loss: squared (mean) or pinball at 0.5 (median). Default squared.</summary>
    public bool MedianLoss { get; init; }

    /// <summary>Shrinkage per tree. Default 0.05.</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Tree depth. Default 6.</summary>
    public int MaxDepth { get; init; } = 6;

    /// <summary>Minimum training windows per leaf. Default 100.</summary>
    public int MinSamplesLeaf { get; init; } = 100;

    /// <summary>Fraction of the features each tree may use. Default 0.8.</summary>
    public double FeatureFraction { get; init; } = 0.8;

    /// <summary>Fraction of the training windows each tree is grown on. Default 0.5.</summary>
    public double RowFraction { get; init; } = 0.5;

    /// <summary>Maximum boosting rounds (early stopping on the held-out tail picks fewer). Default 600.</summary>
    public int Rounds { get; init; } = 600;

    /// <summary>Rounds without validation improvement before stopping. Default 30.</summary>
    public int EarlyStoppingRounds { get; init; } = 30;

    /// <summary>L2 penalty on leaf values. Default 1.</summary>
    public double Lambda { get; init; } = 1;

    /// <summary>Retrain on every window (the held-out tails included) with the early-stopped round count. Default true.</summary>
    public bool RefitOnAll { get; init; } = true;

    /// <summary>Seed of row and feature sampling (results are deterministic for a seed). Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Bagging: this many tree ensembles, trained alike with the seeds <see cref="Seed"/>, Seed + 1, …; the forecast is
    /// the mean of their recursive forecasts (each fed back its own predictions) and the conformal intervals are those of
    /// that mean. Default 1 (no bagging); the training cost grows in proportion.
    /// </summary>
    public int Bags { get; init; } = 1;

    /// <summary>Throws naming the first option out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Horizon, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Season, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Lags, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ScaleWindow, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Bags, 1);
        ArgumentNullException.ThrowIfNull(SeasonalLags);
        if (SeasonalLags.Any(l => l < 1))
        {
            throw new ArgumentException("GlobalBoostedOptions.SeasonalLags must be at least 1.");
        }
        Tree().Validate();
    }

    internal GbrtOptions Tree(int? rounds = null, int bag = 0) => new()
    {
        Loss = MedianLoss ? GbrtLoss.Quantile : GbrtLoss.Squared,
        Alpha = 0.5,
        LearningRate = LearningRate,
        MaxDepth = MaxDepth,
        MinSamplesLeaf = MinSamplesLeaf,
        FeatureFraction = FeatureFraction,
        RowFraction = RowFraction,
        Rounds = rounds ?? Rounds,
        EarlyStoppingRounds = EarlyStoppingRounds,
        Lambda = Lambda,
        Seed = Seed + bag,
    };
}

/// <summary>
/// A global model: one gradient-boosted regression tree ensemble (<c>Gbrt</c>, histogram splits as LightGBM) trained on
/// windows pooled from every series of a set, then applied to any series. Each window is scaled by the mean of its last
/// <see cref="GlobalBoostedOptions.ScaleWindow"/> values; the features are the last k values, the seasonal lags of the
/// target (24 within the lags, 48, 168, 336), position in the day and week, and rolling means of the last 6 and 24
/// values; the target is the next value on the same scale.
/// <para>
/// Strategy: <b>recursive</b> one-step-ahead, each prediction fed back as the newest value. One model learns from every
/// window of every series (a direct strategy needs one model per step: 48× the training for h = 48), the seasonal lags
/// still reach back to observed data for the first day, and the scale is recomputed at each step exactly as in training.
/// </para>
/// <para>
/// Intervals are conformal: the model trained without the last <see cref="GlobalBoostedOptions.Horizon"/> values of
/// each series forecasts them recursively, and the ⌈(k+1)L⌉-th smallest of the k absolute errors at each step, each
/// divided by its series' in-sample seasonal-naive MAE (pooled over series, made non-decreasing), is the half-width at
/// level L, times the forecast series' own seasonal-naive MAE. Those tails are
/// also the early-stopping validation set; the final model is retrained on everything with the early-stopped rounds.
/// </para>
/// </summary>
public sealed class GlobalBoosted : ForecastModel
{
    private readonly Gbrt[] _models;
    private readonly double[][] _calibration;

    private GlobalBoosted(GlobalBoostedOptions options, Gbrt[] models, double[][] calibration, int trainedOn, int windows)
    {
        Options = options;
        _models = models;
        _calibration = calibration;
        TrainedOn = trainedOn;
        TrainingWindows = windows;
    }

    /// <summary>The options it was trained with.</summary>
    public GlobalBoostedOptions Options { get; }

    /// <summary>Series it was trained on.</summary>
    public int TrainedOn { get; }

    /// <summary>Training windows (rows).</summary>
    public int TrainingWindows { get; }

    /// <summary>Boosting rounds kept (early stopping on the held-out tails); with bagging, those of the first ensemble.</summary>
    public int Rounds => _models[0].Trees;

    /// <summary>Tree ensembles averaged (<see cref="GlobalBoostedOptions.Bags"/>).</summary>
    public int Bags => _models.Length;

    /// <inheritdoc/>
    public override string Name => "GlobalBoosted";

    /// <summary>Number of features per window.</summary>
    internal static int FeatureCount(GlobalBoostedOptions o) => o.Lags + o.SeasonalLags.Count + (o.Calendar ? 2 : 0) + 2;

    private int MinHistory => Options.Lags;

    /// <summary>Trains on <paramref name="series"/> (each oldest first, finite). Series too short for a window are skipped.</summary>
    /// <exception cref="ArgumentException">No series is long enough, or the options are out of range.</exception>
    public static GlobalBoosted Train(IReadOnlyList<double[]> series, GlobalBoostedOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        var o = options ?? new GlobalBoostedOptions();
        o.Validate();
        return TrainOn(TrainingSet.Create(series, o), o, parallel: true);
    }

    /// <summary>
    /// Trains several models at once, each exactly as <see cref="Train"/> would (the same trees, bit for bit): jobs on the
    /// same series list whose options differ only in <see cref="GlobalBoostedOptions.Seed"/>,
    /// <see cref="GlobalBoostedOptions.Rounds"/> or the tree settings share one feature matrix and its bins, and the
    /// jobs run side by side on up to <paramref name="maxDegreeOfParallelism"/> cores, each on one thread (coarse
    /// parallelism: no per-histogram fan-out). A job that cannot train (series too short, options out of range) gets
    /// its <see cref="ArgumentException"/> instead of a model.
    /// </summary>
    internal static (GlobalBoosted? Model, ArgumentException? Error)[] TrainMany(
        IReadOnlyList<(IReadOnlyList<double[]> Series, GlobalBoostedOptions Options)> jobs, int maxDegreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var results = new (GlobalBoosted?, ArgumentException?)[jobs.Count];
        // Jobs that can share a training set: same series list (by reference) and the same feature options.
        var groups = new List<(IReadOnlyList<double[]> Series, GlobalBoostedOptions Options, List<int> Jobs)>();
        for (var j = 0; j < jobs.Count; j++)
        {
            var (series, o) = jobs[j];
            try
            {
                ArgumentNullException.ThrowIfNull(series);
                ArgumentNullException.ThrowIfNull(o);
                o.Validate();
            }
            catch (ArgumentException ex)
            {
                results[j] = (null, ex);
                continue;
            }
            var g = groups.FindIndex(x => ReferenceEquals(x.Series, series) && SameFeatures(x.Options, o));
            if (g < 0)
            {
                groups.Add((series, o, [j]));
            }
            else
            {
                groups[g].Jobs.Add(j);
            }
        }
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxDegreeOfParallelism) };
        var sets = new TrainingSet?[groups.Count];
        Parallel.For(0, groups.Count, parallel, g =>
        {
            try
            {
                sets[g] = TrainingSet.Create(groups[g].Series, groups[g].Options);
            }
            catch (ArgumentException ex)
            {
                foreach (var j in groups[g].Jobs)
                {
                    results[j] = (null, ex);
                }
            }
        });
        // Longest first (rounds × bags), so the last job to finish is a short one.
        var work = groups.SelectMany((grp, g) => grp.Jobs.Select(j => (Job: j, Set: sets[g]))).Where(w => w.Set is not null)
            .OrderByDescending(w => (long)jobs[w.Job].Options.Rounds * jobs[w.Job].Options.Bags).ThenBy(w => w.Job).ToArray();
        Parallel.ForEach(work, parallel, w => results[w.Job] = (TrainOn(w.Set!, jobs[w.Job].Options, parallel: false), null));
        return results;
    }

    private static bool SameFeatures(GlobalBoostedOptions a, GlobalBoostedOptions b) =>
        a.Horizon == b.Horizon && a.Season == b.Season && a.Lags == b.Lags && a.ScaleWindow == b.ScaleWindow && a.Calendar == b.Calendar
        && a.SeasonalLags.SequenceEqual(b.SeasonalLags);

    /// <summary>The windows of a series list as features and targets, binned for training (shared by the jobs of <see cref="TrainMany"/>).</summary>
    private sealed class TrainingSet
    {
        private TrainingSet(List<double[]> usable, Gbrt.BinnedRows held, double[] heldY, Gbrt.BinnedRows? valid, double[] validY, Func<(Gbrt.BinnedRows, double[])> all)
        {
            Usable = usable;
            Held = held;
            HeldY = heldY;
            Valid = valid;
            ValidY = validY;
            _all = new Lazy<(Gbrt.BinnedRows, double[])>(all, LazyThreadSafetyMode.ExecutionAndPublication);
        }

        private readonly Lazy<(Gbrt.BinnedRows Rows, double[] Y)> _all;

        public List<double[]> Usable { get; }

        /// <summary>The windows whose target is before each series' last <see cref="GlobalBoostedOptions.Horizon"/> values.</summary>
        public Gbrt.BinnedRows Held { get; }

        public double[] HeldY { get; }

        /// <summary>The windows of those last values (early stopping), binned like <see cref="Held"/>; null when none.</summary>
        public Gbrt.BinnedRows? Valid { get; }

        public double[] ValidY { get; }

        /// <summary>Every window (held, then validation), binned on its own: the refit's data.</summary>
        public (Gbrt.BinnedRows Rows, double[] Y) All => _all.Value;

        public int Windows => Held.Count + ValidY.Length;

        public static TrainingSet Create(IReadOnlyList<double[]> series, GlobalBoostedOptions o)
        {
            var maxLag = Math.Max(o.Lags, o.SeasonalLags.Count == 0 ? 0 : o.SeasonalLags.Max());
            var need = maxLag + o.Horizon + 1;
            var usable = series.Where(s => s.Length >= need && s.All(double.IsFinite)).ToList();
            if (usable.Count == 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"No series has the {need} points needed to train (largest lag + horizon + 1)."), nameof(series));
            }
            var trainX = new List<double[]>();
            var trainY = new List<double>();
            var validX = new List<double[]>();
            var validY = new List<double>();
            foreach (var s in usable)
            {
                for (var t = maxLag - 1; t + 1 < s.Length; t++)
                {
                    var x = new double[FeatureCount(o)];
                    var scale = Features(s, t + 1, o, x);
                    var target = s[t + 1] / scale;
                    if (t + 1 >= s.Length - o.Horizon)
                    {
                        validX.Add(x);
                        validY.Add(target);
                    }
                    else
                    {
                        trainX.Add(x);
                        trainY.Add(target);
                    }
                }
            }
            var tx = trainX.ToArray();
            var vx = validX.ToArray();
            var maxBins = o.Tree().MaxBins;
            var held = Gbrt.BinnedRows.Create(tx, maxBins);
            var valid = vx.Length > 0 ? held.Bins.BinRows(vx) : null;
            var ty = trainY.ToArray();
            var vy = validY.ToArray();
            return new TrainingSet(usable, held, ty, valid, vy, () =>
            {
                double[][] ax = [.. tx, .. vx];
                double[] ay = [.. ty, .. vy];
                return (Gbrt.BinnedRows.Create(ax, maxBins), ay);
            });
        }
    }

    private static GlobalBoosted TrainOn(TrainingSet set, GlobalBoostedOptions o, bool parallel)
    {
        var usable = set.Usable;
        var held = new Gbrt[o.Bags];
        for (var b = 0; b < o.Bags; b++)
        {
            held[b] = Gbrt.Train(set.Held, set.HeldY, o.Tree(bag: b), set.Valid, set.Valid is null ? null : set.ValidY, parallel);
        }
        // Conformal calibration: recursive forecasts of each held-out tail by the model that did not see it.
        var calibration = new double[o.Horizon][];
        for (var h = 0; h < o.Horizon; h++)
        {
            calibration[h] = new double[usable.Count];
        }
        void Calibrate(int i)
        {
            var s = usable[i];
            var origin = s.Length - o.Horizon;
            var (mean, scale) = Recursive(held, o, s.AsSpan(0, origin), o.Horizon);
            var noise = NoiseScale(s.AsSpan(0, origin), o.Season, scale);
            for (var h = 0; h < o.Horizon; h++)
            {
                calibration[h][i] = Math.Abs(s[origin + h] - mean[h]) / noise;
            }
        }
        if (parallel)
        {
            Parallel.For(0, usable.Count, Calibrate);
        }
        else
        {
            for (var i = 0; i < usable.Count; i++)
            {
                Calibrate(i);
            }
        }
        foreach (var c in calibration)
        {
            Array.Sort(c);
        }
        var final = held;
        if (o.RefitOnAll)
        {
            final = new Gbrt[o.Bags];
            var (rows, y) = set.All;
            for (var b = 0; b < o.Bags; b++)
            {
                final[b] = Gbrt.Train(rows, y, o.Tree(Math.Max(1, held[b].BestRound), b), null, null, parallel);
            }
        }
        return new GlobalBoosted(o, final, calibration, usable.Count, set.Windows);
    }

    /// <summary>
    /// Fills <paramref name="x"/> with the features for the value at index <paramref name="target"/> from the values
    /// before it (<c>y[..target]</c>); returns the window's scale.
    /// </summary>
    internal static double Features(ReadOnlySpan<double> y, int target, GlobalBoostedOptions o, Span<double> x)
    {
        var t = target - 1; // last known index
        var w = Math.Min(o.ScaleWindow, target);
        double sum = 0, abs = 0;
        for (var i = target - w; i < target; i++)
        {
            sum += y[i];
            abs += Math.Abs(y[i]);
        }
        var scale = sum / w;
        if (!(scale > 1e-9 * Math.Max(1, abs / w)))
        {
            // Zero or negative mean (e.g. idle CPU, centred data): scale by the mean absolute value, or 1 when all zero.
            scale = abs / w > 0 ? abs / w : 1;
        }
        var k = 0;
        for (var l = 0; l < o.Lags; l++)
        {
            x[k++] = y[Math.Max(0, t - l)] / scale;
        }
        foreach (var lag in o.SeasonalLags)
        {
            var idx = target - lag;
            // Before the start: the latest observed value at the same phase of the main season, else the first value.
            while (idx < 0)
            {
                idx += o.Season;
            }
            x[k++] = y[Math.Min(idx, t)] / scale;
        }
        if (o.Calendar)
        {
            x[k++] = target % o.Season;
            x[k++] = target / o.Season % 7;
        }
        x[k++] = Mean(y, target, 6) / scale;
        x[k] = Mean(y, target, 24) / scale;
        return scale;
    }

    /// <summary>
    /// The scale of a series' conformal errors: the in-sample MAE of the seasonal naive (MASE's scale), so a noisy and a
    /// smooth series of the same level get intervals in proportion to their own noise; the level scale / 100 when that is 0.
    /// </summary>
    internal static double NoiseScale(ReadOnlySpan<double> y, int season, double levelScale)
    {
        var m = y.Length > season ? season : 1;
        var sum = 0.0;
        for (var t = m; t < y.Length; t++)
        {
            sum += Math.Abs(y[t] - y[t - m]);
        }
        var noise = y.Length > m ? sum / (y.Length - m) : 0;
        return noise > 0 ? noise : Math.Max(levelScale, 1e-12) / 100;
    }

    private static double Mean(ReadOnlySpan<double> y, int target, int window)
    {
        var w = Math.Min(window, target);
        var sum = 0.0;
        for (var i = target - w; i < target; i++)
        {
            sum += y[i];
        }
        return sum / w;
    }

    /// <summary>Mean of the ensembles' recursive forecasts of <paramref name="horizon"/> steps after <paramref name="history"/>; also the scale at the origin.</summary>
    private static (double[] Mean, double Scale) Recursive(Gbrt[] models, GlobalBoostedOptions o, ReadOnlySpan<double> history, int horizon)
    {
        if (models.Length == 1)
        {
            return Recursive(models[0], o, history, horizon);
        }
        var mean = new double[horizon];
        var scale = 1.0;
        foreach (var model in models)
        {
            var (m, s) = Recursive(model, o, history, horizon);
            scale = s;
            for (var h = 0; h < horizon; h++)
            {
                mean[h] += m[h] / models.Length;
            }
        }
        return (mean, scale);
    }

    /// <summary>Recursive forecast of <paramref name="horizon"/> steps after <paramref name="history"/>; also the scale at the origin.</summary>
    private static (double[] Mean, double Scale) Recursive(Gbrt model, GlobalBoostedOptions o, ReadOnlySpan<double> history, int horizon)
    {
        var buffer = new double[history.Length + horizon];
        history.CopyTo(buffer);
        var x = new double[FeatureCount(o)];
        var mean = new double[horizon];
        var originScale = 1.0;
        for (var h = 0; h < horizon; h++)
        {
            var target = history.Length + h;
            var scale = Features(buffer.AsSpan(0, target), target, o, x);
            if (h == 0)
            {
                originScale = scale;
            }
            var v = model.Predict(x) * scale;
            buffer[target] = v;
            mean[h] = v;
        }
        return (mean, originScale);
    }

    private protected override IFittedForecastModel FitCore(ReadOnlySpan<double> y)
    {
        if (y.Length < MinHistory)
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"series of {y.Length} points is shorter than the {Options.Lags} lags; naive fallback");
            return Naive.FitWalk(y, 1, "Naive", ForecastStatus.Fallback, reason);
        }
        if (InputCheck.IsConstant(y))
        {
            // Trees predict averages of what they saw, never exactly "flat": a constant series gets the constant.
            return Naive.FitWalk(y, 1, "Naive", ForecastStatus.Fallback, "constant series; naive fallback");
        }
        var fitted = new double[y.Length];
        Array.Fill(fitted, double.NaN);
        var x = new double[FeatureCount(Options)];
        for (var t = MinHistory; t < y.Length; t++)
        {
            var scale = Features(y, t, Options, x);
            var p = 0.0;
            foreach (var model in _models)
            {
                p += model.Predict(x);
            }
            fitted[t] = p / _models.Length * scale;
        }
        return new Fitted(this, y.ToArray(), fitted);
    }

    private sealed class Fitted(GlobalBoosted model, double[] history, double[] fitted) : FittedModel(model.Name, ForecastStatus.Ok, null, fitted)
    {
        protected override ForecastOutput PredictCore(int horizon, IReadOnlyList<double> levels)
        {
            var o = model.Options;
            var (mean, levelScale) = Recursive(model._models, o, history, horizon);
            var scale = NoiseScale(history, o.Season, levelScale);
            var lower = new double[levels.Count][];
            var upper = new double[levels.Count][];
            for (var l = 0; l < levels.Count; l++)
            {
                lower[l] = new double[horizon];
                upper[l] = new double[horizon];
                var prev = 0.0;
                for (var h = 0; h < horizon; h++)
                {
                    var cal = model._calibration[Math.Min(h, o.Horizon - 1)];
                    var k = cal.Length;
                    // Split-conformal rank ⌈(k+1)L⌉ (capped at the largest error).
                    var rank = Math.Min(k, (int)Math.Ceiling((k + 1) * levels[l] / 100));
                    var q = cal[Math.Max(0, rank - 1)] * scale;
                    if (h >= o.Horizon)
                    {
                        q *= Math.Sqrt((h + 1.0) / o.Horizon);
                    }
                    q = Math.Max(q, prev);
                    prev = q;
                    lower[l][h] = mean[h] - q;
                    upper[l][h] = mean[h] + q;
                }
            }
            return ForecastOutput.WithBands(Name, mean, levels, lower, upper, (double[])FittedValues.Clone());
        }
    }
}
