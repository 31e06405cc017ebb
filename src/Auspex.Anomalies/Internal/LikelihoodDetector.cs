using System.Globalization;

namespace Auspex.Anomalies.Internal;

/// <summary>
/// The anomaly-likelihood stage (after Ahmad et al. 2017): the inner detector's raw scores are averaged
/// over a short window; the distribution of that average is tracked as a rolling Gaussian over a long
/// horizon (exponentially weighted mean and variance); the likelihood is L = 1 − Q((short − μ)/σ). The output is the surprise
/// u = −ln(1 − L) mapped to u/(u + ln 1e5), so a tail of 1e−5 scores 0.5 (as on NAB's log scale) and the map
/// never saturates (ties at 1 would blind a threshold sweep). A single extreme point barely moves the short
/// average, so the inner point's own surprise is a floor.
/// Memory: the short window only.
/// </summary>
internal sealed class LikelihoodDetector : DetectorBase
{
    private const int ShortWindow = 8;
    private const double LongAlpha = 1.0 / 2000;
    private const double MinSigma = 0.02;
    private const double OutputHalfSurprise = 11.512925464970229; // ln(1e5): tail 1e-5 scores 0.5, like NAB's log scale

    private const int SuppressWindow = 100;
    private const double SuppressFactor = 0.5;
    private readonly double[] _recent = new double[SuppressWindow];
    private int _recentNext;
    private readonly DetectorBase _inner;
    private readonly double[] _short = new double[ShortWindow];
    private int _shortCount;
    private int _shortNext;
    private double _shortSum;
    private double _mean;
    private double _var;
    private double _pMean;
    private double _pVar;
    private const double PointWeight = 1.0;
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

        double uLikelihood;
        double zAvg;
        if (_n == 0)
        {
            _mean = avg;
            _var = 0;
            uLikelihood = 0;
            zAvg = 0;
        }
        else
        {
            var sigma = Math.Max(Math.Sqrt(_var), MinSigma);
            zAvg = (avg - _mean) / sigma;
            // −ln Q(z): the surprise of the short average under the long-run Gaussian
            uLikelihood = zAvg > 0 ? MathUtil.SurpriseOfZ(zAvg) + Math.Log(2) : -Math.Log(1 - MathUtil.NormalTail(-zAvg));
            var a = Math.Max(LongAlpha, 1.0 / (_n + 1));
            var d = avg - _mean;
            _mean += a * d;
            _var = (1 - a) * (_var + (a * d * d));
        }
        // A single extreme point barely moves the short average: the point itself against its own long run.
        var uPoint = 0.0;
        if (_n > 0)
        {
            var zp = (raw - _pMean) / Math.Max(Math.Sqrt(_pVar), MinSigma);
            uPoint = zp > 0 ? MathUtil.SurpriseOfZ(zp) + Math.Log(2) : 0;
            var ap = Math.Max(LongAlpha, 1.0 / (_n + 1));
            var dp = raw - _pMean;
            _pMean += ap * dp;
            _pVar = (1 - ap) * (_pVar + (ap * dp * dp));
        }
        else
        {
            _pMean = raw;
        }
        _n++;
        var u = Math.Max(uLikelihood, PointWeight * uPoint);
        reason = string.Create(CultureInfo.InvariantCulture, $"{inner.Reason}; likelihood z={zAvg:F1}");
        var score = u / (u + OutputHalfSurprise);
        // debounce: only a new high within the last SuppressWindow points keeps its score
        var recentMax = 0.0;
        for (var i = 0; i < _recent.Length; i++)
        {
            recentMax = Math.Max(recentMax, _recent[i]);
        }
        _recent[_recentNext] = score;
        _recentNext = (_recentNext + 1) % _recent.Length;
        return score > recentMax ? score : score * SuppressFactor;
    }

    protected override void OnFalsePositive(AnomalyResult result) => _inner.MarkFalsePositive(result);

    protected override void WritePayload(BinaryWriter writer)
    {
        _inner.Write(writer);
        DetectorState.WriteArray(writer, _short);
        DetectorState.WriteArray(writer, _recent);
        writer.Write(_recentNext);
        writer.Write(_shortCount);
        writer.Write(_shortNext);
        writer.Write(_shortSum);
        writer.Write(_mean);
        writer.Write(_var);
        writer.Write(_pMean);
        writer.Write(_pVar);
        writer.Write(_n);
    }

    protected override void ReadPayload(BinaryReader reader)
    {
        _inner.Read(reader);
        DetectorState.ReadArray(reader, _short);
        DetectorState.ReadArray(reader, _recent);
        _recentNext = reader.ReadInt32();
        _shortCount = reader.ReadInt32();
        _shortNext = reader.ReadInt32();
        _shortSum = reader.ReadDouble();
        _mean = reader.ReadDouble();
        _var = reader.ReadDouble();
        _pMean = reader.ReadDouble();
        _pVar = reader.ReadDouble();
        _n = reader.ReadInt64();
    }
}
