using Auspex.Core.Series;

namespace Auspex.Ingestion;

/// <summary>What <see cref="SeriesAccumulator.Add"/> observed.</summary>
internal enum AddOutcome
{
    NewSeries,
    Appended,
    OutOfOrder,
    SameTimestamp,
}

/// <summary>
/// Collects samples per series in first-seen order. <see cref="Build"/> applies the shared policy: samples of a series
/// are sorted by time (stable) and, of several samples with one timestamp, the last one received wins.
/// </summary>
internal sealed class SeriesAccumulator(int capacityHint = 0)
{
    private readonly Dictionary<SeriesKey, List<Sample>> _bySeries = new(capacityHint);
    private readonly List<KeyValuePair<SeriesKey, List<Sample>>> _ordered = new(capacityHint);

    public int SeriesCount => _ordered.Count;

    public int SampleCount { get; private set; }

    public AddOutcome Add(SeriesKey key, Sample sample)
    {
        SampleCount++;
        if (!_bySeries.TryGetValue(key, out var list))
        {
            list = [sample];
            _bySeries.Add(key, list);
            _ordered.Add(new(key, list));
            return AddOutcome.NewSeries;
        }
        var last = list[^1].At;
        list.Add(sample);
        return sample.At > last ? AddOutcome.Appended : sample.At == last ? AddOutcome.SameTimestamp : AddOutcome.OutOfOrder;
    }

    public bool Contains(SeriesKey key) => _bySeries.ContainsKey(key);

    public IReadOnlyList<SeriesData> Build()
    {
        var result = new SeriesData[_ordered.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var (key, samples) = (_ordered[i].Key, _ordered[i].Value);
            result[i] = new SeriesData(key, Normalise(samples));
        }
        return result;
    }

    /// <summary>Sorts by time (stable) and keeps the last sample of each timestamp.</summary>
    internal static Sample[] Normalise(List<Sample> samples)
    {
        var strictlyIncreasing = true;
        for (var i = 1; i < samples.Count; i++)
        {
            if (samples[i].At <= samples[i - 1].At)
            {
                strictlyIncreasing = false;
                break;
            }
        }
        if (strictlyIncreasing)
        {
            return [.. samples];
        }
        var sorted = samples.OrderBy(s => s.At).ToList();
        var kept = new List<Sample>(sorted.Count);
        foreach (var s in sorted)
        {
            if (kept.Count > 0 && kept[^1].At == s.At)
            {
                kept[^1] = s;
            }
            else
            {
                kept.Add(s);
            }
        }
        return [.. kept];
    }
}
