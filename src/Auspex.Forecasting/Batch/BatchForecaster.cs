using System.Globalization;

namespace Auspex.Forecasting.Batch;

/// <summary>Options of <see cref="BatchForecaster"/>.</summary>
public sealed class BatchOptions
{
    /// <summary>The horizon, in steps or as a duration (converted per series by its step). Required.</summary>
    public required HorizonSpec Horizon { get; init; }

    /// <summary>Central interval levels in percent (default 80 and 95).</summary>
    public IReadOnlyList<double> Levels { get; init; } = [80, 95];

    /// <summary>Series forecast at once; default the processor count.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}

/// <summary>Forecasts of a whole batch in flat arrays: series i occupies [Offsets[i], Offsets[i+1]).</summary>
public sealed class BatchResult
{
    internal BatchResult(SeriesBatch batch, int[] offsets, double[] mean, double[][] lower, double[][] upper, IReadOnlyList<double> levels,
        string[] models, ForecastStatus[] status, string?[] reasons, CrossValidationTable?[] tables)
    {
        Batch = batch;
        Offsets = offsets;
        Mean = mean;
        LowerBands = lower;
        UpperBands = upper;
        Levels = levels;
        Models = models;
        Status = status;
        Reasons = reasons;
        CrossValidation = tables;
    }

    /// <summary>The input batch.</summary>
    public SeriesBatch Batch { get; }

    /// <summary>Start of each series' forecasts in the flat arrays (Count + 1 entries).</summary>
    public IReadOnlyList<int> Offsets { get; }

    /// <summary>Point forecasts, flat.</summary>
    public double[] Mean { get; }

    /// <summary>Lower bounds per level (same order as <see cref="Levels"/>), flat.</summary>
    public IReadOnlyList<double[]> LowerBands { get; }

    /// <summary>Upper bounds per level, flat.</summary>
    public IReadOnlyList<double[]> UpperBands { get; }

    /// <summary>Interval levels in percent.</summary>
    public IReadOnlyList<double> Levels { get; }

    /// <summary>Model that produced each series' forecast.</summary>
    public IReadOnlyList<string> Models { get; }

    /// <summary>Status of each series.</summary>
    public IReadOnlyList<ForecastStatus> Status { get; }

    /// <summary>Fallback or failure reason of each series (null when none).</summary>
    public IReadOnlyList<string?> Reasons { get; }

    /// <summary>The cross-validation table of each series, when chosen automatically.</summary>
    public IReadOnlyList<CrossValidationTable?> CrossValidation { get; }
}

/// <summary>
/// Forecasts every series of a <see cref="SeriesBatch"/> in parallel into preallocated flat arrays. A series whose model
/// fails is recorded with its reason (its slots hold NaN); the batch never throws for one bad series.
/// </summary>
public static class BatchForecaster
{
    /// <summary>Runs <paramref name="modelFor"/>(series index) on every series.</summary>
    /// <param name="batch">The series.</param>
    /// <param name="modelFor">The model to use for a series (may return a shared, thread-safe instance).</param>
    /// <param name="options">Horizon, levels, parallelism.</param>
    /// <param name="progress">Receives the number of series done so far.</param>
    /// <param name="cancellationToken">Stops scheduling new series.</param>
    public static BatchResult Run(SeriesBatch batch, Func<int, IForecastModel> modelFor, BatchOptions options, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(modelFor);
        ArgumentNullException.ThrowIfNull(options);
        var levels = options.Levels.Distinct().Order().ToArray();
        var offsets = new int[batch.Count + 1];
        var horizons = new int[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            horizons[i] = options.Horizon.ToSteps(batch.Step(i)) ?? 0;
            offsets[i + 1] = offsets[i] + horizons[i];
        }
        var total = offsets[^1];
        var mean = new double[total];
        Array.Fill(mean, double.NaN);
        var lower = levels.Select(_ => Filled(total)).ToArray();
        var upper = levels.Select(_ => Filled(total)).ToArray();
        var models = new string[batch.Count];
        var status = new ForecastStatus[batch.Count];
        var reasons = new string?[batch.Count];
        var tables = new CrossValidationTable?[batch.Count];
        var done = 0;
        Parallel.For(0, batch.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism), CancellationToken = cancellationToken }, i =>
        {
            ForecastOutput output;
            if (horizons[i] == 0)
            {
                output = ForecastOutput.Failed("none", "a duration horizon needs time stamps; give --horizon in steps");
            }
            else
            {
                var model = modelFor(i);
                output = model.Forecast(batch.Values(i), horizons[i], levels);
            }
            models[i] = output.Model;
            status[i] = output.Status;
            tables[i] = output.CrossValidation;
            var filled = batch.Filled(i);
            var note = filled > 0 ? string.Create(CultureInfo.InvariantCulture, $"{filled} missing or irregular points interpolated") : null;
            reasons[i] = output.Reason is null ? note : note is null ? output.Reason : output.Reason + "; " + note;
            if (output.IsSuccess)
            {
                output.Mean.CopyTo(mean, offsets[i]);
                for (var l = 0; l < levels.Length; l++)
                {
                    output.Lower(levels[l]).CopyTo(lower[l], offsets[i]);
                    output.Upper(levels[l]).CopyTo(upper[l], offsets[i]);
                }
            }
            progress?.Report(Interlocked.Increment(ref done));
        });
        return new BatchResult(batch, offsets, mean, lower, upper, levels, models, status, reasons, tables);
    }

    private static double[] Filled(int n)
    {
        var a = new double[n];
        Array.Fill(a, double.NaN);
        return a;
    }
}
