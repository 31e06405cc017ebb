using System.Globalization;

namespace Auspex.Anomalies.Internal;

/// <summary>
/// The anomaly-likelihood stage (after Ahmad et al. 2017): the inner detector's raw scores are averaged
/// over a short window; the distribution of that average is tracked as a rolling Gaussian over a long
/// horizon (exponentially weighted mean and variance); the likelihood is 1 − Q((short − μ)/σ), reported on
/// NAB's log scale log(1 − L)/log(1e−10) so that the useful range near 1 is spread over [0, 1]. A single
/// extreme point barely moves the short average, so the inner raw score on the same log scale is a floor.
/// Memory: the short window only.
/// </summary>
internal sealed class LikelihoodDetector : DetectorBase
{
    private const int ShortWindow = 8;
    private const double LongAlpha = 1.0 / 2000;
    private const double MinSigma = 0.02;
    private const double LogFloor = -23.025850929940457; // ln(1e-10)

    private readonly DetectorBase _inner;
    private readonly double[] _short = new double[ShortWindow];
    private int _shortCount;
    private int _shortNext;
    private double _shortSum;
    private double _mean;
    private double _var;
    private long _n;

    public LikelihoodDetector(DetectorBase inner, AnomalyDetectorOptions options)
        : base(inner.Name, options)
    {
        _inner = inner;
    }

    protected override int Warmup => Options.WarmupPoints + (2 * ShortWindow);

    protected override double Step(DateTimeOffset at, double value, out string reason)
    {
        var inner = _inner.Update(at, value);
        var raw = inner.Score;
        if (_inner.Count <= Options.WarmupPoints)
        {
            reason = inner.Reason;
            return 0;
        }
        if (_shortCount == ShortWindow)
        {
            _shortSum -= _short[_shortNext];
        }
        else
        {
            _shortCount++;
        }
        _short[_shortNext] = raw;
        _shortSum += raw;
        _shortNext = (_shortNext + 1) % ShortWindow;
        var avg = _shortSum / _shortCount;

        double likelihood;
        if (_n == 0)
        {
            _mean = avg;
            _var = 0;
            likelihood = 0;
        }
        else
        {
            var sigma = Math.Max(Math.Sqrt(_var), MinSigma);
            likelihood = 1 - MathUtil.NormalTail((avg - _mean) / sigma);
            var a = Math.Max(LongAlpha, 1.0 / (_n + 1));
            var d = avg - _mean;
            _mean += a * d;
            _var = (1 - a) * (_var + (a * d * d));
        }
        _n++;
        // A single extreme point barely moves the short average; let its own tail probability through too.
        var score = Math.Max(LogScale(likelihood), LogScale(raw));
        reason = string.Create(CultureInfo.InvariantCulture, $"{inner.Reason}; likelihood {likelihood:F6}");
        return score;
    }

    private static double LogScale(double p) => Math.Log(Math.Max(1e-300, 1.0000000001 - p)) / LogFloor;

    protected override void OnFalsePositive(AnomalyResult result) => _inner.MarkFalsePositive(result);

    protected override void WritePayload(BinaryWriter writer)
    {
        _inner.Write(writer);
        DetectorState.WriteArray(writer, _short);
        writer.Write(_shortCount);
        writer.Write(_shortNext);
        writer.Write(_shortSum);
        writer.Write(_mean);
        writer.Write(_var);
        writer.Write(_n);
    }

    protected override void ReadPayload(BinaryReader reader)
    {
        _inner.Read(reader);
        DetectorState.ReadArray(reader, _short);
        _shortCount = reader.ReadInt32();
        _shortNext = reader.ReadInt32();
        _shortSum = reader.ReadDouble();
        _mean = reader.ReadDouble();
        _var = reader.ReadDouble();
        _n = reader.ReadInt64();
    }
}
