namespace Auspex.Anomalies.Internal;

/// <summary>A fixed-capacity ring of doubles with exact median and MAD (by selection on a scratch copy).</summary>
internal sealed class RingBuffer(int capacity)
{
    private readonly double[] _items = new double[capacity];
    private int _next;

    public int Count { get; private set; }

    /// <summary>The most values kept.</summary>
    public int Capacity => _items.Length;

    /// <summary>The value in storage slot <paramref name="slot"/> (storage order, not time order).</summary>
    public double this[int slot] => _items[slot];

    public void Add(double value)
    {
        _items[_next] = value;
        _next = (_next + 1) % _items.Length;
        if (Count < _items.Length)
        {
            Count++;
        }
    }

    public double Median(double[] scratch)
    {
        Array.Copy(_items, scratch, Count);
        return MedianInPlace(scratch.AsSpan(0, Count));
    }

    /// <summary>Median absolute deviation from the median.</summary>
    public double Mad(double[] scratch)
    {
        var m = Median(scratch);
        for (var i = 0; i < Count; i++)
        {
            scratch[i] = Math.Abs(_items[i] - m);
        }
        return MedianInPlace(scratch.AsSpan(0, Count));
    }

    public void Write(BinaryWriter writer)
    {
        DetectorState.WriteArray(writer, _items);
        writer.Write(_next);
        writer.Write(Count);
    }

    public void Read(BinaryReader reader)
    {
        DetectorState.ReadArray(reader, _items);
        _next = reader.ReadInt32();
        Count = reader.ReadInt32();
        if (_next < 0 || _next >= _items.Length || Count < 0 || Count > _items.Length)
        {
            throw new InvalidDataException("Corrupt ring buffer in detector state.");
        }
    }

    /// <summary>Median by quickselect (mean of the two middle values for an even count).</summary>
    internal static double MedianInPlace(Span<double> a)
    {
        if (a.Length == 0)
        {
            return 0;
        }
        var hi = Select(a, a.Length / 2);
        if (a.Length % 2 == 1)
        {
            return hi;
        }
        // after selection, everything left of n/2 is ≤ hi: the lower middle is their maximum
        var lo = double.NegativeInfinity;
        for (var i = 0; i < a.Length / 2; i++)
        {
            lo = Math.Max(lo, a[i]);
        }
        return (lo + hi) / 2;
    }

    private static double Select(Span<double> a, int k)
    {
        int left = 0, right = a.Length - 1;
        while (left < right)
        {
            var pivot = a[(left + right) >>> 1];
            int i = left, j = right;
            while (i <= j)
            {
                while (a[i] < pivot)
                {
                    i++;
                }
                while (a[j] > pivot)
                {
                    j--;
                }
                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }
            if (k <= j)
            {
                right = j;
            }
            else if (k >= i)
            {
                left = i;
            }
            else
            {
                break;
            }
        }
        return a[k];
    }
}
