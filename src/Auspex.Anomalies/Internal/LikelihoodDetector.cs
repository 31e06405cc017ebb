using System.Globalization;

namespace Auspex.Anomalies.Internal;

/// <summary>
/// The anomaly-likelihood stage (after Ahmad et al. 2017), which turns an inner detector's raw scores into a
/// calibrated score:
/// <list type="number">
/// <item>Short versus long: the raw scores are averaged over a short window; the distribution of that
/// average is a rolling Gaussian over a long horizon (exponentially weighted mean and variance); the
/// likelihood is L = 1 − Q((short − μ)/σ), kept as the surprise −ln(1 − L).</item>
/// <item>A lone extreme point barely moves the short average, so the point's own surprise is a second
/// channel.</item>
/// <item>Both channels are calibrated against the series' own history (<see cref="TailCalibrator"/>): the
/// result is −ln of how rare such a surprise has been on this series, so one threshold fits quiet and noisy
/// series alike.</item>
/// <item>Range breakout (HTM's "spatial anomaly"): a value beyond the range the series has covered
/// (<see cref="RangeTracker"/>) by more than 2% of its width is at least as surprising as
/// 2·(excess / 2%)·ln 1000, whatever the model residuals say.</item>
/// <item>Debounce: a score that is not a new high within the last <see cref="SuppressWindow"/> points is
/// halved, so one incident raises one alarm rather than a burst.</item>
/// </list>
/// The output is c/(c + ln 1000) for the calibrated surprise c: 0.5 means "rarer than 1 in 1000 points of
/// this series' history". Memory: fixed windows and histograms.
/// </summary>
internal sealed class LikelihoodDetector : DetectorBase
{
    private const int ShortWindow = 8;
    private const double LongAlpha = 1.0 / 2000;
    private const double MinSigma = 0.02;
    private const int CalibrationHorizon = 5000;
    private const double OutputHalfSurprise = 6.907755278982137; // ln(1000)
    private const int SuppressWindow = 300;
    private const double MinSurprise = 9.0; // nats: a two-sided Gaussian tail of about 1e-4 (3.9σ)
    private const double SuppressFactor = 0.5;

    private readonly DetectorBase _inner;
    private readonly RangeTracker _range = new();
    private const double RangeTolerance = 0.02;   // a value 2% of the range width beyond it is a breakout
    private const double BreakoutWeight = 2.0;    // a breakout of exactly the tolerance scores 2/3
    private readonly double[] _short = new double[ShortWindow];
    private readonly double[] _recent = new double[SuppressWindow];
    private readonly TailCalibrator _pointCalibration = new(CalibrationHorizon);
    private readonly TailCalibrator _shortCalibration = new(CalibrationHorizon);
    private int _shortCount;
    private int _shortNext;
    private double _shortSum;
    private int _recentNext;
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

        var zAvg = 0.0;
        var uLikelihood = 0.0;
        if (_n == 0)
        {
            _mean = avg;
        }
        else
        {
            zAvg = (avg - _mean) / Math.Max(Math.Sqrt(_var), MinSigma);
            uLikelihood = zAvg > 0 ? MathUtil.SurpriseOfZ(zAvg) + Math.Log(2) : 0;
            var a = Math.Max(LongAlpha, 1.0 / (_n + 1));
            var d = avg - _mean;
            _mean += a * d;
            _var = (1 - a) * (_var + (a * d * d));
        }
        _n++;
        // rarity only counts for surprises that are surprising in absolute terms too: on a flat series the
        // largest of many tiny surprises is still nothing
        var uPoint = MathUtil.SurpriseOfScore(raw);
        var cShort = _shortCalibration.Observe(uLikelihood);
        var cPoint = _pointCalibration.Observe(uPoint);
        cShort = uLikelihood >= MinSurprise ? cShort : 0;
        cPoint = uPoint >= MinSurprise ? cPoint : 0;
        var c = Math.Max(cShort, cPoint);
        var broke = false;
        var breakout = _range.Breakout(value);
        _range.Add(value);
        if (breakout > RangeTolerance)
        {
            c = Math.Max(c, OutputHalfSurprise * BreakoutWeight * (breakout / RangeTolerance));
            broke = true;
        }
        var score = c / (c + OutputHalfSurprise);

        var recentMax = 0.0;
        for (var i = 0; i < _recent.Length; i++)
        {
            recentMax = Math.Max(recentMax, _recent[i]);
        }
        _recent[_recentNext] = score;
        _recentNext = (_recentNext + 1) % _recent.Length;
        reason = string.Create(CultureInfo.InvariantCulture, $"{inner.Reason}; rarity 1 in {Math.Exp(c):G3}{(broke ? "; outside the range seen" : "")}");
        return score > recentMax ? score : score * SuppressFactor;
    }

    protected override void WritePayload(BinaryWriter writer)
    {
        _inner.Write(writer);
        DetectorState.WriteArray(writer, _short);
        DetectorState.WriteArray(writer, _recent);
        _pointCalibration.Write(writer);
        _shortCalibration.Write(writer);
        _range.Write(writer);
        writer.Write(_shortCount);
        writer.Write(_shortNext);
        writer.Write(_shortSum);
        writer.Write(_recentNext);
        writer.Write(_mean);
        writer.Write(_var);
        writer.Write(_n);
    }

    protected override void ReadPayload(BinaryReader reader)
    {
        _inner.Read(reader);
        DetectorState.ReadArray(reader, _short);
        DetectorState.ReadArray(reader, _recent);
        _pointCalibration.Read(reader);
        _shortCalibration.Read(reader);
        _range.Read(reader);
        _shortCount = reader.ReadInt32();
        _shortNext = reader.ReadInt32();
        _shortSum = reader.ReadDouble();
        _recentNext = reader.ReadInt32();
        _mean = reader.ReadDouble();
        _var = reader.ReadDouble();
        _n = reader.ReadInt64();
    }
}
