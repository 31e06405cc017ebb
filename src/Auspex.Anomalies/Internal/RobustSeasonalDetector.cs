using System.Globalization;

namespace Auspex.Anomalies.Internal;

/// <summary>
/// Robust seasonal decomposition, online: value = trend + season[slot] + remainder. The trend is the median
/// of the last <see cref="TrendWindow"/> deseasonalised values; each time-of-day slot keeps its last
/// <see cref="SlotDepth"/> detrended values and its season is their median; the remainder is standardised by
/// the MAD (×1.4826) of the last <see cref="RemainderWindow"/> remainders. Medians and MADs make one outlier
/// (or a burst shorter than half a window) unable to move the baseline. Memory: fixed ring buffers.
/// </summary>
internal sealed class RobustSeasonalDetector : DetectorBase
{
    private const int TrendWindow = 24;
    private const int SlotDepth = 8;
    private const int RemainderWindow = 96;

    private readonly RingBuffer _trend = new(TrendWindow);
    private readonly RingBuffer _remainder = new(RemainderWindow);
    private readonly RingBuffer[] _slots;
    private readonly SpreadFloor _spread = new();
    private readonly double[] _scratch = new double[Math.Max(RemainderWindow, Math.Max(TrendWindow, SlotDepth))];

    public RobustSeasonalDetector(AnomalyDetectorOptions options)
        : base(AnomalyDetectors.Seasonal, options)
    {
        _slots = new RingBuffer[options.SlotsPerDay];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new RingBuffer(SlotDepth);
        }
    }

    protected override double Step(DateTimeOffset at, double value, out string reason)
    {
        var slot = _slots[SeasonSlot.Of(at, _slots.Length)];
        var season = slot.Count >= 2 ? slot.Median(_scratch) : 0;
        var trend = _trend.Count > 0 ? _trend.Median(_scratch) : value - season;
        var expected = trend + season;
        var remainder = value - expected;
        var scale = 0.0;
        if (_remainder.Count >= 8)
        {
            scale = 1.4826 * _remainder.Mad(_scratch);
        }
        scale = Math.Max(scale, Math.Max(ResidualDetector.Floor(trend), _spread.Floor));
        var z = _remainder.Count >= 8 ? remainder / scale : 0;

        _trend.Add(value - season);
        slot.Add(value - trend);
        _remainder.Add(remainder);
        _spread.Add(value);

        var u = MathUtil.SurpriseOfZ(z);
        reason = string.Create(CultureInfo.InvariantCulture,
            $"value {value:G4} vs seasonal baseline {expected:G4} (robust z={z:F1})");
        return MathUtil.ScoreOfSurprise(u);
    }

    protected override void WritePayload(BinaryWriter writer)
    {
        _trend.Write(writer);
        _remainder.Write(writer);
        _spread.Write(writer);
        writer.Write(_slots.Length);
        foreach (var s in _slots)
        {
            s.Write(writer);
        }
    }

    protected override void ReadPayload(BinaryReader reader)
    {
        _trend.Read(reader);
        _remainder.Read(reader);
        _spread.Read(reader);
        if (reader.ReadInt32() != _slots.Length)
        {
            throw new InvalidDataException("Seasonal slot count differs from the options.");
        }
        foreach (var s in _slots)
        {
            s.Read(reader);
        }
    }
}
