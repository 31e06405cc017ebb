using Auspex.Core.Resources;

namespace Auspex.Scoring;

/// <summary>One <see cref="CapacityExhaustion"/> in array form (no references, so a pass's rows cost the GC nothing to trace).</summary>
internal struct CapacityRow
{
    public bool Present;
    public bool HasLikely;
    public ResourceKind Kind;
    public int Hosts;
    public double Capacity;
    public double Peak;
    public double Headroom;
    public double Probability;
    public TimeSpan Expected;
    public double Value;
    public DateTimeOffset PeakAt;
    public DateTimeOffset Likely;
    public TimeSpan Horizon;
}

/// <summary>The capacity rows of a pass: per locality position, rows[Start[li] .. Start[li] + Count[li]) (absent rows skipped).</summary>
internal sealed class CapacityRows(CapacityRow[] rows, int[] start, int[] count, double quantile)
{
    public CapacityRow[] Rows { get; } = rows;
    public int[] Start { get; } = start;
    public int[] Count { get; } = count;

    /// <summary>Whether the locality has at least one row (what "has a capacity result" meant).</summary>
    public bool Has(int li)
    {
        var end = Start[li] + Count[li];
        for (var i = Start[li]; i < end; i++)
        {
            if (Rows[i].Present)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Enumerable.Max over the locality's rows of a selector (leading NaNs skipped, later ones ignored).</summary>
    public double Max(int li, bool probability)
    {
        var end = Start[li] + Count[li];
        var found = false;
        var value = double.NaN;
        for (var i = Start[li]; i < end; i++)
        {
            ref var r = ref Rows[i];
            if (!r.Present)
            {
                continue;
            }
            var x = probability ? r.Probability : r.Peak / r.Capacity;
            if (!found || double.IsNaN(value))
            {
                value = x;
                found = true;
            }
            else if (x > value)
            {
                value = x;
            }
        }
        return value;
    }

    /// <summary>The first of the smallest (Value, Headroom) rows: its index.</summary>
    public int Tightest(int li)
    {
        var end = Start[li] + Count[li];
        var best = -1;
        for (var i = Start[li]; i < end; i++)
        {
            ref var c = ref Rows[i];
            if (!c.Present)
            {
                continue;
            }
            if (best < 0)
            {
                best = i;
                continue;
            }
            ref var t = ref Rows[best];
            var byValue = c.Value.CompareTo(t.Value);
            if (byValue < 0 || (byValue == 0 && c.Headroom.CompareTo(t.Headroom) < 0))
            {
                best = i;
            }
        }
        return best;
    }

    public CapacityExhaustion Record(string locality, int row)
    {
        ref var r = ref Rows[row];
        return new CapacityExhaustion(locality, r.Kind, r.Hosts, r.Capacity, quantile, r.Peak, r.PeakAt, r.Headroom, r.Probability,
            r.Expected, r.HasLikely ? r.Likely : null, r.Horizon, r.Value);
    }

    public List<CapacityExhaustion> Records(string locality, int li)
    {
        var list = new List<CapacityExhaustion>(Count[li]);
        var end = Start[li] + Count[li];
        for (var i = Start[li]; i < end; i++)
        {
            if (Rows[i].Present)
            {
                list.Add(Record(locality, i));
            }
        }
        return list;
    }
}
