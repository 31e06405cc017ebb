namespace Auspex.Anomalies;

/// <summary>
/// The verdict of a streaming detector on one point: an anomaly score in [0, 1] (0 = normal, 1 = certainly
/// anomalous) and a short human-readable reason. Invalid input (NaN, infinity) is reported as a result with
/// score 0 and a reason, never as an exception.
/// </summary>
public readonly record struct AnomalyResult
{
    /// <summary>Creates a result; <paramref name="score"/> must lie in [0, 1].</summary>
    /// <exception cref="ArgumentOutOfRangeException">The score is NaN or outside [0, 1].</exception>
    public AnomalyResult(DateTimeOffset at, double value, double score, string reason)
    {
        if (double.IsNaN(score) || score < 0 || score > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "An anomaly score must lie in [0, 1].");
        }
        At = at;
        Value = value;
        Score = score;
        Reason = reason ?? string.Empty;
    }

    /// <summary>The time of the point.</summary>
    public DateTimeOffset At { get; }

    /// <summary>The value of the point as given (may be NaN or infinite for rejected input).</summary>
    public double Value { get; }

    /// <summary>The anomaly score in [0, 1].</summary>
    public double Score { get; }

    /// <summary>A short explanation, e.g. <c>"value 93.2 above forecast 41.0 (z=6.3)"</c>.</summary>
    public string Reason { get; }

    /// <summary>True when the input was rejected (NaN or infinite value) and the detector state was not changed.</summary>
    public bool IsRejected => !double.IsFinite(Value);

    /// <summary>True when <see cref="Score"/> reaches <paramref name="threshold"/>.</summary>
    public bool IsAnomaly(double threshold) => Score >= threshold;
}
