using System.Globalization;

namespace Auspex.Anomalies.Internal;

/// <summary>
/// ARTime (Mark Hampton's NAB entry, ARTimeNAB.jl): adaptive resonance theory over windows of a downsampled
/// series; a point is anomalous when its window does not resonate with any learnt category. Re-implemented
/// from the published method (no code copied). The steps, per point:
/// <list type="number">
/// <item>Downsample: blocks of <c>step = max(1, probation ÷ 104)</c> points become one value — the block's
/// extreme (max, or min when the min is further from a running average of block means), or the block mean when
/// the extreme is within 10 % of it.</item>
/// <item>Normalise by the input range to [0, 1], quantise to 80 levels, and snap to the running median level when
/// within 0.075 of it (the median is tracked on the 81-bin level histogram).</item>
/// <item>Features of the last 8 values: their full 3-level Haar wavelet transform (window and coefficients each
/// min-max normalised) followed by the 8 values themselves — 16 features.</item>
/// <item>Dual-vigilance fuzzy ART (<see cref="DualVigilanceFuzzyArt"/>) learns them. The probationary period is
/// learnt as a batch: the vigilance starts at the mean match (second half) of a trial ART run at ρ = 0.8 over the
/// probation windows, least typical first; afterwards ρ_ub follows the running mean of all matches (capped at
/// 0.97) and ρ_lb rises towards the recent minimum match or falls by the recent shortfalls, every half trend
/// window and 12 steps after an anomaly.</item>
/// <item>A mismatch (no category reaches ρ_lb) is an anomaly unless masked (just after a new category, a
/// vigilance update or an anomaly) and not clearly worse than the last anomaly; its confidence is
/// 0.35·(1 − (1−ρ_ub)/(1−M)) + 0.65·(1 − (1−ρ_lb)/(1−M)) + 1.5·(1 − energy), capped at 1.</item>
/// </list>
/// Scores appear only at block ends (every <c>step</c> points; 7 with the default 750-point probation). With
/// no known input range the range is that of the probation points and widens when a later value leaves it; the
/// learnt categories, the window and the median histogram are then re-expressed exactly in the new scale.
/// Memory: fixed (at most <see cref="ArtimeSettings.MaxCategories"/> categories of 32 doubles, plus the
/// probation buffer until the probation ends). The likelihood stage is not applied: the confidence is the score.
/// </summary>
internal sealed class ArtimeDetector : DetectorBase
{
    private const int Window = 8;
    private const int WindowsPerProbation = 13;
    private const int Levels = 80;
    private const double Chomp = 0.075;
    private const double InitialRho = 0.80;
    private const int Features = 2 * Window;

    private readonly ArtimeSettings _settings;
    private readonly int _step;          // downsampling block length
    private readonly int _trend;         // downsampled points of the probationary period (trend window)
    private readonly int _mask;          // masking after an anomaly, in downsampled points
    private readonly DualVigilanceFuzzyArt _art;
    private readonly string _probationReason;
    private readonly string _betweenReason;

    // probation buffer of raw values (released once the probation is learnt)
    private double[]? _buffer;
    private int _buffered;

    // input range
    private double _lo, _hi;

    // downsampling block
    private int _blockN;
    private double _blockSum, _blockMin, _blockMax;

    // downsampled pipeline
    private int _dsi = 1;                // 1-based index of the next downsampled value
    private double _movingAverage;
    private readonly int[] _medBin = new int[Levels + 1];
    private int _medLevel, _belowMed, _aboveMed;
    private readonly double[] _fWindow = new double[Window];
    private readonly double[] _features = new double[Features];
    private readonly double[] _scratch = new double[Window];

    // detection state
    private int _lastAnomalyI;
    private double _lastAnomalySim;
    private int _lastRhoUpdateI;
    private bool _maskAfterCat;
    private int _noNewCatCount;
    private int _historyCount;
    private double _historySumBeforeLast, _historyLast;
    private readonly RingBuffer _simWindow;
    private readonly RingBuffer _simDiffWindow;
    private long _matchCount;
    private double _matchMean;
    private string _lastReason;

    public ArtimeDetector(AnomalyDetectorOptions options, ArtimeSettings settings)
        : base(AnomalyDetectors.Artime, options)
    {
        _settings = settings.Validate();
        var p = settings.ProbationaryPoints;
        _step = Math.Max(1, p / (Window * WindowsPerProbation));
        _trend = p / _step;
        _mask = Window * 3 / 2;
        _art = new DualVigilanceFuzzyArt(Features, settings.MaxCategories);
        _buffer = new double[_trend * _step];
        _simWindow = new RingBuffer((_trend / 2) + 1);
        _simDiffWindow = new RingBuffer(_trend + 1);
        for (var k = 0; k < _simWindow.Capacity; k++)
        {
            _simWindow.Add(1);
        }
        for (var k = 0; k < _simDiffWindow.Capacity; k++)
        {
            _simDiffWindow.Add(0);
        }
        _probationReason = string.Create(CultureInfo.InvariantCulture, $"ARTime probation: learning the first {_trend * _step} points");
        _betweenReason = string.Create(CultureInfo.InvariantCulture, $"ARTime scores every {_step} points (downsampled)");
        _lastReason = _probationReason;
    }

    /// <summary>The settings this detector was built with.</summary>
    public ArtimeSettings Settings => _settings;

    /// <summary>Points per downsampled value.</summary>
    public int DownsampleStep => _step;

    /// <summary>Downsampled points learnt as the probationary batch.</summary>
    public int TrendWindow => _trend;

    /// <summary>The fuzzy ART module (for inspection and tests).</summary>
    public DualVigilanceFuzzyArt Art => _art;

    protected override int Warmup => 0;

    protected override double Step(DateTimeOffset at, double value, out string reason)
    {
        if (_buffer is not null)
        {
            _buffer[_buffered++] = value;
            if (_buffered == _buffer.Length)
            {
                LearnProbation();
            }
            reason = _probationReason;
            return 0;
        }
        var score = Accumulate(value, out var produced);
        reason = produced ? _lastReason : _betweenReason;
        return score;
    }

    private void LearnProbation()
    {
        var buffer = _buffer!;
        if (_settings.InputMin is { } lo && _settings.InputMax is { } hi)
        {
            (_lo, _hi) = (lo, hi);
        }
        else
        {
            (_lo, _hi) = (buffer.Min(), buffer.Max());
            var pad = (_hi - _lo) * _settings.RangeMargin;
            (_lo, _hi) = (_lo - pad, _hi + pad);
        }
        var batch = new double[_trend][];
        _buffer = null;
        var k = 0;
        foreach (var v in buffer)
        {
            if (AddToBlock(v))
            {
                batch[k++] = Downsample(out _).ToArray();
            }
        }
        // the batch: initial vigilance from a trial run, then every probation window is learnt in order
        var rho = InitialVigilance(batch);
        _art.RhoLower = rho;
        _art.RhoUpper = rho;
        for (var i = 0; i < batch.Length; i++)
        {
            Detect(batch[i], i + 1);
        }
        _dsi = _trend + 1;
        _lastReason = "ARTime: probation learnt";
    }

    private double Accumulate(double value, out bool produced)
    {
        produced = AddToBlock(value);
        if (!produced)
        {
            return 0;
        }
        var f = Downsample(out var ds);
        var i = _dsi - 1;
        var score = Detect(f, i);
        _lastReason = score > 0
            ? string.Create(CultureInfo.InvariantCulture,
                $"ARTime: window ending {ds:G4} resonates with no category (match {_art.LastMatch:F3} < vigilance {_art.RhoLower:F3}, energy {_art.LastEnergy:F2})")
            : string.Create(CultureInfo.InvariantCulture,
                $"ARTime: window ending {ds:G4} matches a learnt category ({_art.LastMatch:F3}; vigilance {_art.RhoLower:F3}..{_art.RhoUpper:F3}, {_art.Categories} categories)");
        return score;
    }

    private bool AddToBlock(double value)
    {
        if (_blockN == 0)
        {
            _blockSum = 0;
            _blockMin = double.PositiveInfinity;
            _blockMax = double.NegativeInfinity;
        }
        _blockN++;
        _blockSum += value;
        _blockMin = Math.Min(_blockMin, value);
        _blockMax = Math.Max(_blockMax, value);
        if (_blockN < _step)
        {
            return false;
        }
        _blockN = 0;
        return true;
    }

    /// <summary>Turns the finished block into the next downsampled value and its feature vector; advances _dsi.</summary>
    private ReadOnlySpan<double> Downsample(out double raw)
    {
        var mean = _blockSum / _step;
        if (_dsi == 1)
        {
            _movingAverage = mean;
        }
        _movingAverage = (_movingAverage + mean) / 2;
        var ds = _blockMax;
        if (Math.Abs(_blockMax - _movingAverage) < Math.Abs(_blockMin - _movingAverage))
        {
            ds = _blockMin; // a spike below the average
        }
        if (Math.Abs(ds - mean) < 0.1 * mean)
        {
            ds = mean; // an extreme within 10 % of the block mean is no spike
        }
        raw = ds;
        if (ds < _lo || ds > _hi)
        {
            Widen(Math.Min(_lo, ds), Math.Max(_hi, ds));
        }
        var x = Normalise(ds);
        var level = Math.Clamp((int)Math.Round(x * Levels, MidpointRounding.ToEven), 0, Levels);
        x = (double)level / Levels;
        TrackMedian(level);
        var med = (double)_medLevel / Levels;
        if (Math.Abs(x - med) < Chomp)
        {
            x = med;
        }
        Array.Copy(_fWindow, 1, _fWindow, 0, Window - 1);
        _fWindow[Window - 1] = x;
        if (_dsi >= Window)
        {
            WindowFeatures(_fWindow, _features, _scratch);
        }
        else
        {
            Array.Clear(_features);
        }
        _dsi++;
        return _features;
    }

    private double Normalise(double v)
    {
        var x = v - _lo;
        return _hi - _lo != 0 ? x / (_hi - _lo) : x;
    }

    /// <summary>The approximate running median of the level histogram (ARTime's "levelize" step).</summary>
    private void TrackMedian(int level)
    {
        _medBin[level]++;
        var medPos = _dsi / 2;
        if (_dsi == 1)
        {
            _medLevel = level;
        }
        if (_medLevel > level)
        {
            _belowMed++;
        }
        else if (_medLevel < level)
        {
            _aboveMed++;
        }
        if (medPos < _aboveMed)
        {
            _belowMed += _medBin[_medLevel];
            _medLevel++;
            while (_medLevel < Levels && _medBin[_medLevel] == 0)
            {
                _medLevel++;
            }
            _aboveMed -= _medBin[_medLevel];
        }
        else if (medPos < _belowMed)
        {
            _aboveMed += _medBin[_medLevel];
            _medLevel--;
            while (_medLevel > 0 && _medBin[_medLevel] == 0)
            {
                _medLevel--;
            }
            _belowMed -= _medBin[_medLevel];
        }
    }

    /// <summary>
    /// The range grew: re-express everything kept in normalised units (window, categories' value boxes, level
    /// histogram and median) in the new range, x' = a·x + b.
    /// </summary>
    private void Widen(double lo, double hi)
    {
        var oldRange = _hi - _lo;
        var newRange = hi - lo;
        var a = oldRange / newRange;
        var b = (_lo - lo) / newRange;
        for (var k = 0; k < Window; k++)
        {
            _fWindow[k] = (a * _fWindow[k]) + b;
        }
        _art.Rescale(Window, Features, a, b);
        var bins = new int[Levels + 1];
        int Map(int level) => Math.Clamp((int)Math.Round(((a * level / Levels) + b) * Levels, MidpointRounding.ToEven), 0, Levels);
        for (var l = 0; l <= Levels; l++)
        {
            bins[Map(l)] += _medBin[l];
        }
        bins.CopyTo(_medBin, 0);
        _medLevel = Map(_medLevel);
        _belowMed = 0;
        _aboveMed = 0;
        for (var l = 0; l <= Levels; l++)
        {
            if (l < _medLevel)
            {
                _belowMed += _medBin[l];
            }
            else if (l > _medLevel)
            {
                _aboveMed += _medBin[l];
            }
        }
        (_lo, _hi) = (lo, hi);
    }

    /// <summary>
    /// ARTime's 16 features of a window of 8 normalised values: the Haar transform of the min-max normalised
    /// window, itself min-max normalised, then the window values.
    /// </summary>
    public static void WindowFeatures(ReadOnlySpan<double> window, Span<double> features, Span<double> scratch)
    {
        MinMax(window, scratch);
        Haar8(scratch, features[..Window]);
        MinMax(features[..Window], features[..Window]);
        window.CopyTo(features[Window..]);
    }

    private static void MinMax(ReadOnlySpan<double> from, Span<double> to)
    {
        var min = double.PositiveInfinity;
        foreach (var v in from)
        {
            min = Math.Min(min, v);
        }
        var max = double.NegativeInfinity;
        for (var k = 0; k < from.Length; k++)
        {
            to[k] = from[k] - min;
            max = Math.Max(max, to[k]);
        }
        if (max != 0)
        {
            for (var k = 0; k < to.Length; k++)
            {
                to[k] /= max;
            }
        }
    }

    /// <summary>
    /// The full (3-level) orthonormal Haar transform of 8 values, laid out coarsest first:
    /// [a3, d3, d2(2), d1(4)] with a = (x₂ₖ + x₂ₖ₊₁)/√2 and d = (x₂ₖ₊₁ − x₂ₖ)/√2.
    /// </summary>
    public static void Haar8(ReadOnlySpan<double> x, Span<double> y)
    {
        var r = 1 / Math.Sqrt(2);
        Span<double> a1 = stackalloc double[4];
        Span<double> a2 = stackalloc double[2];
        for (var k = 0; k < 4; k++)
        {
            a1[k] = (x[2 * k] + x[(2 * k) + 1]) * r;
            y[4 + k] = (x[(2 * k) + 1] - x[2 * k]) * r;
        }
        for (var k = 0; k < 2; k++)
        {
            a2[k] = (a1[2 * k] + a1[(2 * k) + 1]) * r;
            y[2 + k] = (a1[(2 * k) + 1] - a1[2 * k]) * r;
        }
        y[0] = (a2[0] + a2[1]) * r;
        y[1] = (a2[1] - a2[0]) * r;
    }

    /// <summary>ARTime's similarity of two feature vectors for ordering the probation batch (close to cosine).</summary>
    public static double Similarity(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double na = 0, nb = 0, dot = 0;
        for (var k = 0; k < a.Length; k++)
        {
            na += a[k] * a[k];
            nb += b[k] * b[k];
            dot += a[k] * b[k];
        }
        na = Math.Sqrt(na);
        nb = Math.Sqrt(nb);
        return na == 0 ? 1 - nb : nb == 0 ? 1 - na : dot / (na * nb);
    }

    /// <summary>
    /// The initial vigilance: the windows of the probation (from the first full one) ordered by their summed
    /// similarity to the others, least typical first, are learnt by a trial ART at ρ = 0.8; the result is the
    /// mean best match over the second half of the trend window.
    /// </summary>
    private double InitialVigilance(double[][] batch)
    {
        var cols = batch.Skip(Window - 1).ToArray();
        var n = cols.Length;
        var sum = new double[n];
        for (var i = 0; i < n; i++)
        {
            sum[i] += 1;
            for (var j = 0; j < i; j++)
            {
                var s = Similarity(cols[i], cols[j]);
                sum[i] += s;
                sum[j] += s;
            }
        }
        var order = Enumerable.Range(0, n).OrderBy(i => sum[i]).ToArray(); // stable
        var trial = new DualVigilanceFuzzyArt(Features, n + 2) { RhoLower = InitialRho, RhoUpper = InitialRho };
        var from = (_trend / 2) - 1;
        double total = 0;
        for (var k = 0; k < n; k++)
        {
            trial.Train(cols[order[k]]);
            if (k >= from)
            {
                total += trial.LastMatch;
            }
        }
        return total / (n - from);
    }

    /// <summary>One downsampled step of ARTime's detector (i is the 1-based downsampled index).</summary>
    private double Detect(double[] f, int i) => Detect((ReadOnlySpan<double>)f, i);

    private double Detect(ReadOnlySpan<double> f, int i)
    {
        var updateAfterAnomaly = i - _lastAnomalyI == _mask;
        var updateForTrend = i - _lastRhoUpdateI >= _trend / 2;
        var maskAfterAnomaly = i - _lastAnomalyI <= _mask;
        if (i > _trend + _mask && _maskAfterCat && _noNewCatCount >= _mask)
        {
            _maskAfterCat = false;
        }
        int cat;
        if (i < Window)
        {
            _art.Train(f, learn: false);
            cat = -1;
        }
        else
        {
            cat = _art.Train(f);
        }
        var sim = _art.LastMatch;
        _noNewCatCount = cat == -1 ? 0 : _noNewCatCount + 1;
        _matchCount++;
        _matchMean += (sim - _matchMean) / _matchCount;
        _simWindow.Add(sim);
        _simDiffWindow.Add(_art.RhoUpper - sim);
        if (i - _lastAnomalyI < _mask && _historyCount > 0 && sim < _historyLast)
        {
            _historyLast = sim;
        }
        var masking = _maskAfterCat || maskAfterAnomaly;
        var belowLast = sim < _lastAnomalySim * (maskAfterAnomaly ? 0.90 : 0.70);
        var anomalous = cat == -1 && (!masking || belowLast);
        double anomaly = 0;
        if (i > _trend && anomalous)
        {
            anomaly = Confidence(sim, _art.LastEnergy, _art.RhoLower, _art.RhoUpper);
            if (_historyCount > 0)
            {
                _historySumBeforeLast += _historyLast;
            }
            _historyCount++;
            _historyLast = sim;
            _lastAnomalySim = sim;
            _lastAnomalyI = i;
        }
        _maskAfterCat = cat == -1 || _maskAfterCat;
        if (i > _trend && (updateAfterAnomaly || updateForTrend))
        {
            UpdateVigilance(i);
            _lastRhoUpdateI = i;
            _maskAfterCat = true;
        }
        return anomaly;
    }

    private void UpdateVigilance(int i)
    {
        var minSim = double.PositiveInfinity;
        for (var k = 0; k < _simWindow.Count; k++)
        {
            minSim = Math.Min(minSim, _simWindow[k]);
        }
        var ub = Math.Min(0.97, _matchMean);
        var prev = _art.RhoLower;
        double lb;
        if (prev <= minSim)
        {
            lb = prev + ((minSim - prev) * 0.19);
        }
        else
        {
            var decrease = 0.0;
            if (i > _trend * 2)
            {
                double s = 0;
                var c = 0;
                for (var k = 0; k < _simDiffWindow.Count; k++)
                {
                    var d = _simDiffWindow[k];
                    if (d > 0.05)
                    {
                        s += Math.Min(0.37, d);
                        c++;
                    }
                }
                if (c > 0)
                {
                    decrease = s / c;
                }
            }
            decrease = Math.Max(0.01, decrease);
            lb = prev - (decrease / 2);
            if (_historyCount > 0)
            {
                lb = Math.Max((_historySumBeforeLast + _historyLast) / _historyCount, lb);
            }
        }
        _art.RhoLower = Math.Min(ub, lb);
        _art.RhoUpper = ub;
    }

    /// <summary>ARTime's confidence of an anomaly from the best match, its energy similarity and the vigilances.</summary>
    public static double Confidence(double match, double energy, double rhoLower, double rhoUpper)
    {
        var m = Math.Min(0.999, match);
        var ub = ((1 - m) - (1 - rhoUpper)) / (1 - m);
        var lb = ((1 - m) - (1 - rhoLower)) / (1 - m);
        var s = (ub * 0.35) + (lb * 0.65) + ((1.0 - energy) * 1.5);
        return Math.Round(Math.Min(1.0, s), 6);
    }

    protected override void WritePayload(BinaryWriter writer)
    {
        writer.Write(_settings.ProbationaryPoints);
        writer.Write(_settings.InputMin.HasValue);
        writer.Write(_settings.InputMin ?? 0);
        writer.Write(_settings.InputMax ?? 0);
        writer.Write(_settings.MaxCategories);
        writer.Write(_settings.RangeMargin);
        writer.Write(_buffer is not null);
        if (_buffer is not null)
        {
            writer.Write(_buffered);
            for (var k = 0; k < _buffered; k++)
            {
                writer.Write(_buffer[k]);
            }
        }
        writer.Write(_lo);
        writer.Write(_hi);
        writer.Write(_blockN);
        writer.Write(_blockSum);
        writer.Write(_blockMin);
        writer.Write(_blockMax);
        writer.Write(_dsi);
        writer.Write(_movingAverage);
        DetectorState.WriteArray(writer, _medBin);
        writer.Write(_medLevel);
        writer.Write(_belowMed);
        writer.Write(_aboveMed);
        DetectorState.WriteArray(writer, _fWindow);
        writer.Write(_lastAnomalyI);
        writer.Write(_lastAnomalySim);
        writer.Write(_lastRhoUpdateI);
        writer.Write(_maskAfterCat);
        writer.Write(_noNewCatCount);
        writer.Write(_historyCount);
        writer.Write(_historySumBeforeLast);
        writer.Write(_historyLast);
        _simWindow.Write(writer);
        _simDiffWindow.Write(writer);
        writer.Write(_matchCount);
        writer.Write(_matchMean);
        _art.Write(writer);
    }

    protected override void ReadPayload(BinaryReader reader)
    {
        // the settings were read by ReadSettings before construction; skip them
        ReadSettings(reader);
        if (reader.ReadBoolean())
        {
            _buffered = reader.ReadInt32();
            if (_buffered < 0 || _buffered > _buffer!.Length)
            {
                throw new InvalidDataException($"ARTime state holds {_buffered} probation points (at most {_buffer!.Length}).");
            }
            for (var k = 0; k < _buffered; k++)
            {
                _buffer[k] = reader.ReadDouble();
            }
        }
        else
        {
            _buffer = null;
            _buffered = 0;
        }
        _lo = reader.ReadDouble();
        _hi = reader.ReadDouble();
        _blockN = reader.ReadInt32();
        _blockSum = reader.ReadDouble();
        _blockMin = reader.ReadDouble();
        _blockMax = reader.ReadDouble();
        _dsi = reader.ReadInt32();
        _movingAverage = reader.ReadDouble();
        DetectorState.ReadArray(reader, _medBin);
        _medLevel = reader.ReadInt32();
        _belowMed = reader.ReadInt32();
        _aboveMed = reader.ReadInt32();
        if (_medLevel is < 0 or > Levels)
        {
            throw new InvalidDataException($"ARTime state has median level {_medLevel} outside [0, {Levels}].");
        }
        DetectorState.ReadArray(reader, _fWindow);
        _lastAnomalyI = reader.ReadInt32();
        _lastAnomalySim = reader.ReadDouble();
        _lastRhoUpdateI = reader.ReadInt32();
        _maskAfterCat = reader.ReadBoolean();
        _noNewCatCount = reader.ReadInt32();
        _historyCount = reader.ReadInt32();
        _historySumBeforeLast = reader.ReadDouble();
        _historyLast = reader.ReadDouble();
        _simWindow.Read(reader);
        _simDiffWindow.Read(reader);
        _matchCount = reader.ReadInt64();
        _matchMean = reader.ReadDouble();
        _art.Read(reader);
    }

    /// <summary>Reads the settings at the start of a saved payload (to build the detector before reading the rest).</summary>
    public static ArtimeSettings ReadSettings(BinaryReader reader)
    {
        var probation = reader.ReadInt32();
        var known = reader.ReadBoolean();
        var lo = reader.ReadDouble();
        var hi = reader.ReadDouble();
        var cap = reader.ReadInt32();
        var margin = reader.ReadDouble();
        return new ArtimeSettings
        {
            ProbationaryPoints = probation,
            InputMin = known ? lo : null,
            InputMax = known ? hi : null,
            MaxCategories = cap,
            RangeMargin = margin,
        }.Validate();
    }
}
