namespace Auspex.Anomalies;

/// <summary>
/// A streaming anomaly detector for one univariate series. Points are given one at a time in time order;
/// the result for a point depends only on that point and those before it. Memory is constant per series
/// (it does not grow with the number of points). Not thread-safe: use one instance per series.
/// </summary>
public interface IAnomalyDetector
{
    /// <summary>The registry name of the detector (see <see cref="AnomalyDetectors.Names"/>).</summary>
    string Name { get; }

    /// <summary>The number of valid points seen so far.</summary>
    long Count { get; }

    /// <summary>
    /// Scores one point and then learns from it. A NaN or infinite value returns a rejected result
    /// (score 0, reason says why) and leaves the state unchanged; it never throws.
    /// </summary>
    AnomalyResult Update(DateTimeOffset at, double value);

    /// <summary>
    /// Operator feedback: <paramref name="result"/> (a result this detector returned) was a false positive.
    /// The detector becomes less sensitive so that the same surprise would now score below
    /// <see cref="AnomalyDetectorOptions.Threshold"/>; the desensitisation decays back with
    /// <see cref="AnomalyDetectorOptions.FeedbackHalfLifePoints"/>.
    /// </summary>
    void MarkFalsePositive(AnomalyResult result);

    /// <summary>Serialises the complete learned state; <see cref="AnomalyDetectors.Restore"/> brings it back.</summary>
    byte[] SaveState();
}

/// <summary>
/// A streaming anomaly detector over several metrics of one entity (e.g. the CPU, memory, disk and network
/// series of a host), sampled together. Constant memory in the number of points.
/// </summary>
public interface IMultivariateAnomalyDetector
{
    /// <summary>The registry name of the detector.</summary>
    string Name { get; }

    /// <summary>The number of metrics (the length every <see cref="Update"/> vector must have).</summary>
    int Dimensions { get; }

    /// <summary>
    /// Scores one vector of simultaneous values and then learns from it. A vector of the wrong length or with
    /// a NaN or infinite entry returns a rejected result (score 0, reason says why); it never throws.
    /// The result's <see cref="AnomalyResult.Value"/> is the robust Mahalanobis distance.
    /// </summary>
    AnomalyResult Update(DateTimeOffset at, ReadOnlySpan<double> values);

    /// <summary>Operator feedback: see <see cref="IAnomalyDetector.MarkFalsePositive"/>.</summary>
    void MarkFalsePositive(AnomalyResult result);

    /// <summary>Serialises the complete learned state; <see cref="AnomalyDetectors.RestoreMultivariate"/> brings it back.</summary>
    byte[] SaveState();
}
