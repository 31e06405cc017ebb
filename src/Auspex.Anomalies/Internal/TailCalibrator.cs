namespace Auspex.Anomalies.Internal;

/// <summary>
/// Empirical tail calibration of a non-negative surprise stream, in constant memory: an exponentially
/// forgetting histogram over ln(1 + u) (<see cref="Bins"/> bins of <see cref="BinWidth"/>). For a new
/// surprise it returns −ln P(U ≥ u) under the series' own history (Laplace-smoothed, and extrapolated
/// as a Pareto tail beyond the largest value seen), so that one threshold means the same rarity on a quiet
/// synthetic series and on a spiky production one.
/// </summary>
internal sealed class TailCalibrator(int horizon)
{
    private const int Bins = 120; // ln(1 + u) up to 9.6: surprises beyond ~15,000 nats tie
    private const double BinWidth = 0.08;

    private readonly double[] _counts = new double[Bins];
    private readonly double _decay = 1 - (1.0 / horizon);
    private double _increment = 1;
    private double _total;

    /// <summary>Returns the calibrated surprise of <paramref name="u"/> and then learns it.</summary>
    public double Observe(double u)
    {
        var x = Math.Min(Math.Log(1 + Math.Max(0, u)) / BinWidth, Bins - 1);
        var bin = (int)x;
        var frac = bin == Bins - 1 ? 0 : x - bin; // the last bin holds everything at or beyond its edge
        var above = _counts[bin] * (1 - frac);
        var top = -1;
        for (var b = Bins - 1; b >= 0; b--)
        {
            if (_counts[b] > 0)
            {
                top = b;
                break;
            }
        }
        for (var b = bin + 1; b <= top; b++)
        {
            above += _counts[b];
        }
        var n = _total > 0 ? NEffective : 0;
        var p = ((_total > 0 ? above / _total * n : 0) + 0.5) / (n + 1);
        if (bin > top && top >= 0)
        {
            // beyond anything seen: a Pareto tail (p ∝ 1/(1 + u)) past the largest value seen
            p *= Math.Exp(-(x - top - 1) * BinWidth);
        }
        Learn(bin);
        return -Math.Log(Math.Clamp(p, 1e-300, 1));
    }

    /// <summary>The effective number of remembered observations.</summary>
    private double NEffective => _total / _increment;

    private void Learn(int bin)
    {
        // instead of multiplying every bin by the decay, grow the increment; renormalise when it gets large
        _increment /= _decay;
        _counts[bin] += _increment;
        _total += _increment;
        if (_increment > 1e100)
        {
            for (var b = 0; b < Bins; b++)
            {
                _counts[b] /= _increment;
            }
            _total /= _increment;
            _increment = 1;
        }
    }

    public void Write(BinaryWriter writer)
    {
        DetectorState.WriteArray(writer, _counts);
        writer.Write(_increment);
        writer.Write(_total);
    }

    public void Read(BinaryReader reader)
    {
        DetectorState.ReadArray(reader, _counts);
        _increment = reader.ReadDouble();
        _total = reader.ReadDouble();
    }
}
