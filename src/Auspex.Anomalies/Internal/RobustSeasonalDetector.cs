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

    private readonly bool _weekly;

    public RobustSeasonalDetector(AnomalyDetectorOptions options)
        : this(AnomalyDetectors.Seasonal, options, weekly: false)
    {
    }

    /// <summary>
    /// With <paramref name="weekly"/> the season has one slot per time-of-day slot and weekday (7 ×
    /// <see cref="AnomalyDetectorOptions.SlotsPerDay"/>), so a weekly pattern (quiet weekends) is part of the
    /// baseline; each slot then holds the values of the last weeks at that hour.
    /// </summary>
    public RobustSeasonalDetector(string name, AnomalyDetectorOptions options, bool weekly)
        : base(name, options)
    {
        _weekly = weekly;
        _slots = new RingBuffer[options.SlotsPerDay * (weekly ? 7 : 1)];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new RingBuffer(SlotDepth);
        }
    }

    /// <summary>Whether the last point's slot had a season estimate (at least two values).</summary>
    public bool SlotReady { get; private set; }

    /// <summary>The surprise (nats) of the last point.</summary>
    public double LastSurprise { get; private set; }

    protected override double Step(DateTimeOffset at, double value, out string reason)
    {
        var slot = _slots[_weekly ? SeasonSlot.OfWeek(at, Options.SlotsPerDay) : SeasonSlot.Of(at, _slots.Length)];
        SlotReady = slot.Count >= 2;
        var season = SlotReady ? slot.Median(_scratch) : 0;
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
        LastSurprise = u;
        reason = string.Create(CultureInfo.InvariantCulture,
            $"value {value:G4} vs {(_weekly ? "weekly" : "seasonal")} baseline {expected:G4} (robust z={z:F1})");
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
