using System.Globalization;

namespace Auspex.Anomalies.Internal;

/// <summary>
/// Bayesian online change-point detection (Adams &amp; MacKay 2007) with a Normal-Gamma model (Student-t
/// predictive) and a constant hazard 1/<see cref="HazardInverse"/>. The run-length posterior is truncated at
/// <see cref="MaxRun"/> hypotheses (the oldest is dropped and the rest renormalised), so memory and time per
/// point are constant. Each new run's prior is centred on an exponentially weighted mean of the series with
/// the long-run variance as its expected variance. The raw score is the posterior mass of a recent change
/// (run length 1..<see cref="RecentRun"/>), as surprise −2·ln(1 − P) so that P = 0.99 scores 0.5.
/// </summary>
internal sealed class ChangePointDetector : DetectorBase
{
    private const int MaxRun = 128;
    private const double HazardInverse = 250;
    private const int RecentRun = 6;
    private const double Kappa0 = 1;
    private const double Alpha0 = 1;
    private const double PriorAlpha = 1.0 / 500;

    // per run length r (index r): posterior mass and sufficient statistics of that run
    private readonly double[] _p = new double[MaxRun];
    private readonly double[] _n = new double[MaxRun];
    private readonly double[] _mean = new double[MaxRun];
    private readonly double[] _m2 = new double[MaxRun];
    private readonly double[] _mu0 = new double[MaxRun];
    private readonly double[] _beta0 = new double[MaxRun];
    private readonly double[] _next = new double[MaxRun];
    private static readonly double[] LogGammaRatio = BuildTable();
    private int _runs;
    private double _gMean;
    private double _gVar;
    private long _seen;

    public ChangePointDetector(AnomalyDetectorOptions options)
        : base(AnomalyDetectors.ChangePoint, options)
    {
    }

    protected override double Step(DateTimeOffset at, double value, out string reason)
    {
        if (_seen == 0)
        {
            _gMean = value;
            _gVar = 0;
        }
        var floor = ResidualDetector.Floor(_gMean);
        var priorVar = Math.Max(_gVar, floor * floor);
        if (_runs == 0)
        {
            _runs = 1;
            _p[0] = 1;
            NewRun(0, priorVar);
        }

        // predictive probability of the value under each run, growth and change masses
        var h = 1.0 / HazardInverse;
        var change = 0.0;
        var total = 0.0;
        var maxLog = double.NegativeInfinity;
        for (var r = 0; r < _runs; r++)
        {
            _next[r] = Math.Log(Math.Max(_p[r], 1e-300)) + LogPredictive(r, value);
            maxLog = Math.Max(maxLog, _next[r]);
        }
        for (var r = 0; r < _runs; r++)
        {
            // scaled by e^(−maxLog): only ratios matter after normalisation
            var joint = Math.Exp(_next[r] - maxLog);
            change += joint * h;
            _next[r] = joint * (1 - h);
        }
        // shift: run r becomes r + 1; the oldest falls off when the posterior is full
        var kept = Math.Min(_runs + 1, MaxRun);
        for (var r = kept - 1; r >= 1; r--)
        {
            _p[r] = _next[r - 1];
            _n[r] = _n[r - 1];
            _mean[r] = _mean[r - 1];
            _m2[r] = _m2[r - 1];
            _mu0[r] = _mu0[r - 1];
            _beta0[r] = _beta0[r - 1];
        }
        _p[0] = change;
        _runs = kept;
        NewRun(0, priorVar);
        for (var r = 0; r < _runs; r++)
        {
            total += _p[r];
        }
        if (!(total > 1e-300) || !double.IsFinite(total))
        {
            // every hypothesis found the value impossible: restart the run-length posterior on a change
            Array.Clear(_p);
            _p[0] = 1;
            _runs = 1;
            total = 1;
        }
        var recent = 0.0;
        for (var r = 0; r < _runs; r++)
        {
            _p[r] /= total;
            if (r >= 1 && r <= RecentRun)
            {
                recent += _p[r];
            }
        }
        // learn the value in every run (including the new empty one)
        for (var r = 0; r < _runs; r++)
        {
            _n[r]++;
            var d = value - _mean[r];
            _mean[r] += d / _n[r];
            _m2[r] += d * (value - _mean[r]);
        }
        var ga = Math.Max(PriorAlpha, 1.0 / (_seen + 1));
        var gd = value - _gMean;
        _gMean += ga * gd;
        _gVar = (1 - ga) * (_gVar + (ga * gd * gd));
        _seen++;

        // surprise scale: P(recent change) = 0.99 scores 0.5, like a residual tail of 1e-4
        // a series that has never varied gives every run the same evidence: the posterior then only
        // reflects truncation, not data, so it is not evidence of a change
        var degenerate = priorVar <= floor * floor;
        var u = degenerate ? 0 : -2 * Math.Log(Math.Max(1e-300, 1 - recent));
        reason = string.Create(CultureInfo.InvariantCulture, $"change point: P(run ≤ {RecentRun}) = {recent:F3}");
        return MathUtil.ScoreOfSurprise(u);
    }

    private void NewRun(int r, double priorVar)
    {
        _n[r] = 0;
        _mean[r] = 0;
        _m2[r] = 0;
        _mu0[r] = _gMean;
        _beta0[r] = Alpha0 * priorVar;
    }

    /// <summary>Log Student-t predictive density of x under run r's Normal-Gamma posterior.</summary>
    private double LogPredictive(int r, double x)
    {
        var n = _n[r];
        var kn = Kappa0 + n;
        var mun = n > 0 ? ((Kappa0 * _mu0[r]) + (n * _mean[r])) / kn : _mu0[r];
        var an = Alpha0 + (n / 2);
        var dm = _mean[r] - _mu0[r];
        var bn = _beta0[r] + (0.5 * _m2[r]) + (n > 0 ? Kappa0 * n * dm * dm / (2 * kn) : 0);
        var scale2 = bn * (kn + 1) / (an * kn);
        var nu = 2 * an;
        var t = (x - mun) * (x - mun) / (nu * scale2);
        var idx = (int)Math.Min(n, LogGammaRatio.Length - 1);
        return LogGammaRatio[idx] - (0.5 * Math.Log(nu * Math.PI * scale2)) - ((an + 0.5) * double.LogP1(t));
    }

    /// <summary>lnΓ(α + ½) − lnΓ(α) for α = α0 + n/2, n = 0..MaxRun.</summary>
    private static double[] BuildTable()
    {
        var t = new double[MaxRun + 2];
        for (var n = 0; n < t.Length; n++)
        {
            var a = Alpha0 + (n / 2.0);
            t[n] = MathUtil.LogGamma(a + 0.5) - MathUtil.LogGamma(a);
        }
        return t;
    }

    protected override void WritePayload(BinaryWriter writer)
    {
        writer.Write(_runs);
        writer.Write(_gMean);
        writer.Write(_gVar);
        writer.Write(_seen);
        DetectorState.WriteArray(writer, _p);
        DetectorState.WriteArray(writer, _n);
        DetectorState.WriteArray(writer, _mean);
        DetectorState.WriteArray(writer, _m2);
        DetectorState.WriteArray(writer, _mu0);
        DetectorState.WriteArray(writer, _beta0);
    }

    protected override void ReadPayload(BinaryReader reader)
    {
        _runs = reader.ReadInt32();
        if (_runs is < 0 or > MaxRun)
        {
            throw new InvalidDataException("Corrupt change-point state.");
        }
        _gMean = reader.ReadDouble();
        _gVar = reader.ReadDouble();
        _seen = reader.ReadInt64();
        DetectorState.ReadArray(reader, _p);
        DetectorState.ReadArray(reader, _n);
        DetectorState.ReadArray(reader, _mean);
        DetectorState.ReadArray(reader, _m2);
        DetectorState.ReadArray(reader, _mu0);
        DetectorState.ReadArray(reader, _beta0);
    }
}
