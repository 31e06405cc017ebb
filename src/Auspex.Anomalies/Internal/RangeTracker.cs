namespace Auspex.Anomalies.Internal;

/// <summary>
/// The range a series has covered (minimum and maximum, slowly forgotten towards each other with a
/// half-life of <see cref="HalfLife"/> points). A value outside it by a share of its width is a
/// "spatial" anomaly in HTM's sense: something this series has never (recently) done.
/// </summary>
internal sealed class RangeTracker
{
    private const double HalfLife = 8640; // a month of 5-minute samples
    private static readonly double Decay = Math.Pow(0.5, 1 / HalfLife);
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;

    /// <summary>How far outside the range the value lies, as a share of the range width (0 inside).</summary>
    public double Breakout(double value)
    {
        var width = _max - _min;
        if (!(width > 0))
        {
            return 0;
        }
        return value > _max ? (value - _max) / width : value < _min ? (_min - value) / width : 0;
    }

    public void Add(double value)
    {
        if (double.IsInfinity(_min))
        {
            _min = _max = value;
            return;
        }
        var mid = (_min + _max) / 2;
        _min = Math.Min(value, mid + ((_min - mid) * Decay));
        _max = Math.Max(value, mid + ((_max - mid) * Decay));
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_min);
        writer.Write(_max);
    }

    public void Read(BinaryReader reader)
    {
        _min = reader.ReadDouble();
        _max = reader.ReadDouble();
    }
}
