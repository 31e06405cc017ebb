using System.Globalization;

namespace Auspex.Anomalies.Internal;

/// <summary>
/// Shared plumbing of every univariate detector: input validation, warm-up, operator feedback (a tolerance
/// that decays back to 1) and the state header. A concrete detector implements <see cref="Step"/>, which
/// scores a point (raw score in [0, 1]) and then learns from it.
/// </summary>
internal abstract class DetectorBase : IAnomalyDetector
{
    private const int StateVersion = 1;
    private readonly double _feedbackDecay;
    private double _tolerance = 1.0;

    protected DetectorBase(string name, AnomalyDetectorOptions options)
    {
        Name = name;
        Options = options;
        _feedbackDecay = Math.Pow(0.5, 1.0 / options.FeedbackHalfLifePoints);
    }

    public string Name { get; }

    public AnomalyDetectorOptions Options { get; }

    public long Count { get; private set; }

    /// <summary>The current feedback tolerance (1 = no desensitisation).</summary>
    public double Tolerance => _tolerance;

    /// <summary>Points before the first non-zero score.</summary>
    protected virtual int Warmup => Options.WarmupPoints;

    public AnomalyResult Update(DateTimeOffset at, double value)
    {
        if (!double.IsFinite(value))
        {
            return new AnomalyResult(at, value, 0, string.Create(CultureInfo.InvariantCulture, $"rejected: value is {value}"));
        }
        var raw = Step(at, value, out var reason);
        Count++;
        if (_tolerance > 1)
        {
            _tolerance = 1 + ((_tolerance - 1) * _feedbackDecay);
        }
        if (Count <= Warmup)
        {
            return new AnomalyResult(at, value, 0, string.Create(CultureInfo.InvariantCulture, $"warming up ({Count}/{Warmup})"));
        }
        var score = Desensitise(Clamp01(raw));
        return new AnomalyResult(at, value, score, reason);
    }

    public void MarkFalsePositive(AnomalyResult result)
    {
        var target = Options.Threshold * 0.9;
        if (result.Score <= target || result.IsRejected)
        {
            return;
        }
        // score = 1 - exp(-u / tolerance) with u the surprise; choose the tolerance that maps this u to target.
        var u = Surprise(result.Score) * _tolerance;
        _tolerance = Math.Max(_tolerance, u / Surprise(target));
        OnFalsePositive(result);
    }

    public byte[] SaveState() => DetectorState.Save(this);

    /// <summary>Scores the point (before learning it) and learns it; returns the raw score in [0, 1].</summary>
    protected abstract double Step(DateTimeOffset at, double value, out string reason);

    /// <summary>A hook for detectors that also adapt their model on a false-positive mark.</summary>
    protected virtual void OnFalsePositive(AnomalyResult result)
    {
    }

    internal void Write(BinaryWriter writer)
    {
        writer.Write(StateVersion);
        writer.Write(Count);
        writer.Write(_tolerance);
        WritePayload(writer);
    }

    internal void Read(BinaryReader reader)
    {
        var version = reader.ReadInt32();
        if (version != StateVersion)
        {
            throw new InvalidDataException($"Unsupported detector state version {version} for '{Name}'.");
        }
        Count = reader.ReadInt64();
        _tolerance = reader.ReadDouble();
        ReadPayload(reader);
    }

    protected abstract void WritePayload(BinaryWriter writer);

    protected abstract void ReadPayload(BinaryReader reader);

    internal static double Clamp01(double x) => double.IsNaN(x) ? 0 : Math.Clamp(x, 0, 1);

    private double Desensitise(double score)
    {
        if (_tolerance <= 1 || score <= 0)
        {
            return score;
        }
        return Clamp01(1 - Math.Exp(-Surprise(score) / _tolerance));
    }

    private static double Surprise(double score) => -Math.Log(Math.Max(1e-300, 1 - Math.Min(score, 1 - 1e-16)));
}
