namespace Auspex.Anomalies.Internal;

/// <summary>
/// A lower bound for a detector's residual scale: a small share of the series' own long-run standard
/// deviation (exponentially weighted). On mostly-constant or quantised series (disk writes that are 0 most
/// of the time) the residual MAD is 0, and without this floor every change would be infinitely surprising.
/// </summary>
internal sealed class SpreadFloor
{
    private const double Alpha = 1.0 / 2000;
    private const double Share = 0.05;
    private double _mean;
    private double _var;
    private long _n;

    public double Floor => Share * Math.Sqrt(_var);

    public void Add(double value)
    {
        if (_n == 0)
        {
            _mean = value;
        }
        var a = Math.Max(Alpha, 1.0 / (_n + 1));
        var d = value - _mean;
        _mean += a * d;
        _var = (1 - a) * (_var + (a * d * d));
        _n++;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_mean);
        writer.Write(_var);
        writer.Write(_n);
    }

    public void Read(BinaryReader reader)
    {
        _mean = reader.ReadDouble();
        _var = reader.ReadDouble();
        _n = reader.ReadInt64();
    }
}
