using System.Globalization;
using System.Text;

namespace Auspex.Anomalies.Internal;

/// <summary>
/// Multivariate detector across a host's metrics: robust Mahalanobis distance of each vector from an
/// exponentially weighted mean and covariance. Updates are down-weighted Huber-style (weight min(1, c/d))
/// so outliers do not inflate the covariance; the covariance is regularised with a small ridge. The score
/// maps the surprise u = −ln(1 − F(d²)) of the χ² tail (k = dimensions degrees of freedom) to u/(u + ln 10⁴), so
/// 0.5 is a tail probability of 10⁻⁴, like the univariate raw scores. The reason names the metric whose
/// deviation given the other metrics (conditional z) is largest. Memory: O(k²).
/// </summary>
internal sealed class MahalanobisDetector : IMultivariateAnomalyDetector
{
    private const double Lambda = 0.01;
    private const double Ridge = 1e-6;
    private const int StateVersion = 1;

    private readonly AnomalyDetectorOptions _options;
    private readonly double[] _mean;
    private readonly double[] _cov;   // k*k row-major
    private readonly double[] _chol;  // scratch
    private readonly double[] _diff;  // scratch
    private readonly double[] _y;     // scratch
    private readonly double _huber;
    private readonly double _feedbackDecay;
    private long _n;
    private double _tolerance = 1;
    private bool _cholOk;

    public MahalanobisDetector(int dimensions, AnomalyDetectorOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Dimensions = dimensions;
        _options = options;
        _mean = new double[dimensions];
        _cov = new double[dimensions * dimensions];
        _chol = new double[dimensions * dimensions];
        _diff = new double[dimensions];
        _y = new double[dimensions];
        _huber = Math.Sqrt(dimensions) + 2;
        _feedbackDecay = Math.Pow(0.5, 1.0 / options.FeedbackHalfLifePoints);
    }

    public string Name => AnomalyDetectors.Mahalanobis;

    public int Dimensions { get; }

    public AnomalyResult Update(DateTimeOffset at, ReadOnlySpan<double> values)
    {
        if (values.Length != Dimensions)
        {
            return new AnomalyResult(at, double.NaN, 0, string.Create(CultureInfo.InvariantCulture, $"rejected: {values.Length} values where {Dimensions} were expected"));
        }
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                return new AnomalyResult(at, double.NaN, 0, string.Create(CultureInfo.InvariantCulture, $"rejected: metric {i} is {values[i]}"));
            }
        }
        var k = Dimensions;
        if (_n == 0)
        {
            values.CopyTo(_mean);
            _n = 1;
            return new AnomalyResult(at, 0, 0, "first point");
        }
        for (var i = 0; i < k; i++)
        {
            _diff[i] = values[i] - _mean[i];
        }
        var d2 = Distance2();
        var d = Math.Sqrt(d2);
        var (worst, worstZ) = _cholOk ? ConditionalWorst() : MarginalWorst();

        // learn (robustly)
        var w = d > _huber ? _huber / d : 1;
        var a = Math.Max(Lambda, 1.0 / (_n + 1)) * w;
        for (var i = 0; i < k; i++)
        {
            _mean[i] += a * _diff[i];
        }
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < k; j++)
            {
                _cov[(i * k) + j] = (1 - a) * (_cov[(i * k) + j] + (a * _diff[i] * _diff[j]));
            }
        }
        _n++;
        if (_tolerance > 1)
        {
            _tolerance = 1 + ((_tolerance - 1) * _feedbackDecay);
        }
        if (_n <= _options.WarmupPoints)
        {
            return new AnomalyResult(at, d, 0, string.Create(CultureInfo.InvariantCulture, $"warming up ({_n}/{_options.WarmupPoints})"));
        }
        var raw = MathUtil.GammaP(k / 2.0, d2 / 2.0);
        var score = MathUtil.ScoreOfSurprise(Surprise(raw) / _tolerance);
        return new AnomalyResult(at, d, DetectorBase.Clamp01(score),
            string.Create(CultureInfo.InvariantCulture, $"distance {d:F1} over {k} metrics; metric {worst} deviates most (z={worstZ:F1})"));
    }

    public void MarkFalsePositive(AnomalyResult result)
    {
        var target = _options.Threshold * 0.9;
        if (result.Score <= target || double.IsNaN(result.Value))
        {
            return;
        }
        var u = MathUtil.SurpriseOfScore(result.Score) * _tolerance;
        _tolerance = Math.Max(_tolerance, u / MathUtil.SurpriseOfScore(target));
    }

    public byte[] SaveState() => DetectorState.Save(Name, _options, writer =>
    {
        writer.Write(StateVersion);
        writer.Write(Dimensions);
        writer.Write(_n);
        writer.Write(_tolerance);
        DetectorState.WriteArray(writer, _mean);
        DetectorState.WriteArray(writer, _cov);
    });

    internal static MahalanobisDetector Read(BinaryReader reader, AnomalyDetectorOptions options)
    {
        var version = reader.ReadInt32();
        if (version != StateVersion)
        {
            throw new InvalidDataException($"Unsupported state version {version} for the multivariate detector.");
        }
        var detector = new MahalanobisDetector(reader.ReadInt32(), options)
        {
            _n = reader.ReadInt64(),
            _tolerance = reader.ReadDouble(),
        };
        DetectorState.ReadArray(reader, detector._mean);
        DetectorState.ReadArray(reader, detector._cov);
        return detector;
    }

    /// <summary>d² = diffᵀ (Σ + ridge)⁻¹ diff via Cholesky; diagonal fallback when not positive definite.</summary>
    private double Distance2()
    {
        var k = Dimensions;
        var trace = 0.0;
        for (var i = 0; i < k; i++)
        {
            trace += _cov[(i * k) + i];
        }
        var ridge = (Ridge * trace / k) + 1e-12;
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = _cov[(i * k) + j] + (i == j ? ridge : 0);
                for (var m = 0; m < j; m++)
                {
                    sum -= _chol[(i * k) + m] * _chol[(j * k) + m];
                }
                if (i == j)
                {
                    if (sum <= 0)
                    {
                        _cholOk = false;
                        return DiagonalDistance2(ridge);
                    }
                    _chol[(i * k) + i] = Math.Sqrt(sum);
                }
                else
                {
                    _chol[(i * k) + j] = sum / _chol[(j * k) + j];
                }
            }
        }
        _cholOk = true;
        var d2 = 0.0;
        for (var i = 0; i < k; i++)
        {
            var sum = _diff[i];
            for (var m = 0; m < i; m++)
            {
                sum -= _chol[(i * k) + m] * _y[m];
            }
            _y[i] = sum / _chol[(i * k) + i];
            d2 += _y[i] * _y[i];
        }
        return d2;
    }

    /// <summary>The metric that deviates most given the others: z_i = (Σ⁻¹d)_i / √(Σ⁻¹)_ii.</summary>
    private (int Metric, double Z) ConditionalWorst()
    {
        var k = Dimensions;
        // v = Σ⁻¹ d = L⁻ᵀ y (y = L⁻¹ d is in _y)
        var v = new double[k];
        for (var i = k - 1; i >= 0; i--)
        {
            var sum = _y[i];
            for (var m = i + 1; m < k; m++)
            {
                sum -= _chol[(m * k) + i] * v[m];
            }
            v[i] = sum / _chol[(i * k) + i];
        }
        // (Σ⁻¹)_ii = ‖L⁻¹ e_i‖²
        var best = (Metric: 0, Z: 0.0);
        var col = new double[k];
        for (var i = 0; i < k; i++)
        {
            Array.Clear(col);
            var norm = 0.0;
            for (var r = i; r < k; r++)
            {
                var sum = r == i ? 1.0 : 0.0;
                for (var m = i; m < r; m++)
                {
                    sum -= _chol[(r * k) + m] * col[m];
                }
                col[r] = sum / _chol[(r * k) + r];
                norm += col[r] * col[r];
            }
            var z = v[i] / Math.Sqrt(norm);
            if (Math.Abs(z) > Math.Abs(best.Z))
            {
                best = (i, z);
            }
        }
        return best;
    }

    private (int Metric, double Z) MarginalWorst()
    {
        var k = Dimensions;
        var best = (Metric: 0, Z: 0.0);
        for (var i = 0; i < k; i++)
        {
            var z = _diff[i] / Math.Sqrt(Math.Max(_cov[(i * k) + i], 1e-300));
            if (Math.Abs(z) > Math.Abs(best.Z))
            {
                best = (i, z);
            }
        }
        return best;
    }

    private double DiagonalDistance2(double ridge)
    {
        var k = Dimensions;
        var d2 = 0.0;
        for (var i = 0; i < k; i++)
        {
            d2 += _diff[i] * _diff[i] / (Math.Max(_cov[(i * k) + i], 0) + ridge);
        }
        return d2;
    }

    private static double Surprise(double score) => -Math.Log(Math.Max(1e-300, 1 - Math.Min(score, 1 - 1e-16)));
}
