namespace Auspex.Engine.Loop;

/// <summary>What one tick of the loop did.</summary>
/// <param name="At">The loop clock's time of the tick.</param>
/// <param name="Series">Series in the window cache.</param>
/// <param name="Forecasts">Forecasts produced.</param>
/// <param name="Scored">Localities scored.</param>
/// <param name="Elapsed">Wall time the tick took.</param>
/// <param name="Error">Why the tick failed, or null.</param>
/// <param name="StageMilliseconds">Wall time of each stage (refresh, forecast, store_forecasts, score, store_scores, maintenance).</param>
public sealed record TickReport(DateTimeOffset At, int Series, int Forecasts, int Scored, TimeSpan Elapsed, string? Error, IReadOnlyDictionary<string, double>? StageMilliseconds = null);
