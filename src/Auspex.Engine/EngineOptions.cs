namespace Auspex.Engine;

/// <summary>Options of the control loop. Every default is what a new installation gets.</summary>
public sealed class EngineOptions
{
    /// <summary>Time between ticks on the loop's clock. Default 5 minutes (seed 000's refresh interval).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How far ahead every series is forecast. Default 2 hours.</summary>
    public TimeSpan Horizon { get; set; } = TimeSpan.FromHours(2);

    /// <summary>The seasonal period the baseline model uses. Default 1 day.</summary>
    public TimeSpan Season { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How much history each series keeps in memory for forecasting. Default 7 days.</summary>
    public TimeSpan History { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Central interval levels (percent) stored with each forecast. Default 80 and 95.</summary>
    public IReadOnlyList<double> Levels { get; set; } = [80, 95];

    /// <summary>
    /// The forecasting model of every series: <c>auto</c> (default) selects each series' model by rolling-origin
    /// cross-validation and keeps it until retraining (docs/forecasting.md); any other name of
    /// <c>auspex forecast --model</c> except <c>global</c> fixes it (e.g. <c>snaive</c>).
    /// </summary>
    public string ForecastModel { get; set; } = "auto";

    /// <summary>Re-select each series' model at least this often, on the loop's clock. Default 24 hours.</summary>
    public TimeSpan RetrainInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Re-select a series' model early when its live MAE exceeds this multiple of its backtest MAE. Default 1.5.</summary>
    public double RetrainDegradation { get; set; } = 1.5;

    /// <summary>With <see cref="SelectionWorkers"/> = 0 only: at most this many series are (re)selected per tick (a cold start spreads over ticks; 0 = no limit). Default 5.</summary>
    public int MaxSelectionsPerTick { get; set; } = 5;

    /// <summary>
    /// Background workers that (re)select series' models, off the tick: a series due for selection is queued and keeps
    /// its current model (seasonal naive before its first selection) until the selection lands. 0 = select inline in the
    /// tick, at most <see cref="MaxSelectionsPerTick"/> per tick (the behaviour before). Default 1.
    /// </summary>
    public int SelectionWorkers { get; set; } = 1;

    /// <summary>
    /// Metrics forecast per component (series labelled <c>component</c>) as the scaling stage's demand, beside the host
    /// series. Default <c>auspex_component_cpu_used_cores</c> and <c>auspex_component_requests_per_second</c>; the
    /// runtime adds the metrics <c>orchestration.scaling.demand</c> names. Empty = none.
    /// </summary>
    public IReadOnlyList<string> ComponentMetrics { get; set; } = ["auspex_component_cpu_used_cores", "auspex_component_requests_per_second"];

    /// <summary>How often rollups and retention run, on the loop's clock. Default 1 hour.</summary>
    public TimeSpan MaintenanceEvery { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The streaming anomaly detector run on every host series (see docs/anomalies.md). Default: the ensemble.</summary>
    public string AnomalyDetector { get; set; } = Auspex.Anomalies.AnomalyDetectors.DefaultName;

    /// <summary>Throws with the name of the first option out of range.</summary>
    public void Validate()
    {
        if (Interval <= TimeSpan.Zero)
        {
            throw new ArgumentException("EngineOptions.Interval must be positive.");
        }
        if (Horizon <= TimeSpan.Zero)
        {
            throw new ArgumentException("EngineOptions.Horizon must be positive.");
        }
        if (Season <= TimeSpan.Zero || History <= TimeSpan.Zero)
        {
            throw new ArgumentException("EngineOptions.Season and History must be positive.");
        }
        if (Levels.Count == 0 || Levels.Any(l => l is <= 0 or >= 100 || double.IsNaN(l)))
        {
            throw new ArgumentException("EngineOptions.Levels must be percentages in (0, 100).");
        }
        if (!Auspex.Anomalies.AnomalyDetectors.Names.Contains(AnomalyDetector))
        {
            throw new ArgumentException($"EngineOptions.AnomalyDetector '{AnomalyDetector}' is unknown; use one of {string.Join(", ", Auspex.Anomalies.AnomalyDetectors.Names)}.");
        }
        if (!Auspex.Forecasting.ModelCatalog.Descriptions.ContainsKey(ForecastModel ?? "") || Auspex.Forecasting.ModelCatalog.IsGlobal(ForecastModel!))
        {
            var names = Auspex.Forecasting.ModelCatalog.Descriptions.Keys;
            throw new ArgumentException($"EngineOptions.ForecastModel '{ForecastModel}' is unknown or a global model ({string.Join(", ", names.Where(Auspex.Forecasting.ModelCatalog.IsGlobal))} are trained across a whole batch: use them with `auspex forecast`); the loop takes a per-series model: {string.Join(", ", names.Where(n => !Auspex.Forecasting.ModelCatalog.IsGlobal(n)))}.");
        }
        if (RetrainInterval <= TimeSpan.Zero || !(RetrainDegradation > 1) || MaxSelectionsPerTick < 0)
        {
            throw new ArgumentException("EngineOptions.RetrainInterval must be positive, RetrainDegradation above 1 and MaxSelectionsPerTick at least 0.");
        }
        if (SelectionWorkers < 0)
        {
            throw new ArgumentException("EngineOptions.SelectionWorkers must be at least 0.");
        }
        if (MaintenanceEvery <= TimeSpan.Zero)
        {
            throw new ArgumentException("EngineOptions.MaintenanceEvery must be positive.");
        }
    }
}
