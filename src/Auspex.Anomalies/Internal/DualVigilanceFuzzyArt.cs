namespace Auspex.Anomalies.Internal;

/// <summary>
/// Distributed dual-vigilance fuzzy ART, in the variant ARTime uses (Hampton's ARTimeNAB, after
/// Carpenter &amp; Grossberg's fuzzy ART and da Silva et al.'s dual-vigilance fuzzy ART). Written from the
/// published method; no code was copied.
/// <para>
/// Inputs are feature vectors f in [0, 1]^d, complement coded as x = [f, 1 − f]. A category is a weight
/// vector w in [0, 1]^2d (a hyper-box: lower corner w[0..d), upper corner 1 − w[d..2d)). For each category
/// the <b>feature similarity</b> is |x ∧ w|₁ / |w|₁ and the <b>energy similarity</b> is the same ratio over
/// the two coordinates of the newest value only (index d − 1 and its complement 2d − 1); the
/// <b>match</b> (choice and vigilance function at once) is feature³ · energy².
/// </para>
/// <para>
/// Learning, given the best match M* (the first category on ties): every category whose match reaches the
/// upper vigilance ρ_ub learns fast, w ← x ∧ w (distributed learning) and the input takes the best one's
/// cluster label; else when M* reaches the lower vigilance ρ_lb a new category x is committed to the best
/// one's cluster; else a new category starts a new cluster and the input is a <b>mismatch</b> (label −1):
/// nothing learned resonates with it. The very first input only creates the uncommitted all-ones category.
/// </para>
/// <para>
/// Constant memory: at most <see cref="Capacity"/> categories; when full, a new category replaces the one
/// that resonated least recently (ARTime itself is unbounded; this cap is Auspex's).
/// </para>
/// </summary>
internal sealed class DualVigilanceFuzzyArt
{
    private readonly double[] _w;          // Capacity × 2d
    private readonly int[] _labels;
    private readonly long[] _lastUsed;
    private readonly double[] _match;
    private readonly double[] _x;
    private long _clock;

    public DualVigilanceFuzzyArt(int dimensions, int capacity)
    {
        if (dimensions < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "Fuzzy ART needs at least one feature.");
        }
        if (capacity < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "Fuzzy ART needs room for at least two categories.");
        }
        Dimensions = dimensions;
        Capacity = capacity;
        _w = new double[capacity * 2 * dimensions];
        _labels = new int[capacity];
        _lastUsed = new long[capacity];
        _match = new double[capacity];
        _x = new double[2 * dimensions];
    }

    /// <summary>Features per input (before complement coding).</summary>
    public int Dimensions { get; }

    /// <summary>The most categories kept.</summary>
    public int Capacity { get; }

    /// <summary>Categories in use.</summary>
    public int Categories { get; private set; }

    /// <summary>Clusters created so far (labels of new clusters count up from 1).</summary>
    public int Clusters { get; private set; }

    /// <summary>Lower vigilance: below it an input is a mismatch.</summary>
    public double RhoLower { get; set; }

    /// <summary>Upper vigilance: at or above it the category resonates and learns.</summary>
    public double RhoUpper { get; set; }

    /// <summary>The best match of the last input (0 when nothing matched).</summary>
    public double LastMatch { get; private set; }

    /// <summary>The energy similarity of the best-matching category for the last input (0 when nothing matched).</summary>
    public double LastEnergy { get; private set; }

    /// <summary>Categories that replaced an older one because the capacity was full.</summary>
    public long Evictions { get; private set; }

    /// <summary>The weights of category <paramref name="j"/> (2d values).</summary>
    public ReadOnlySpan<double> Weights(int j) => _w.AsSpan(j * 2 * Dimensions, 2 * Dimensions);

    /// <summary>
    /// Match of complement-coded <paramref name="x"/> against weights <paramref name="w"/>: returns
    /// feature³ · energy² and gives the energy similarity. |w|₁ = 0 counts as 0.001; an energy denominator
    /// of 0 gives energy 0.
    /// </summary>
    public static double Match(ReadOnlySpan<double> x, ReadOnlySpan<double> w, out double energy)
    {
        var d = x.Length / 2;
        double inter = 0, norm = 0;
        for (var k = 0; k < x.Length; k++)
        {
            inter += Math.Min(x[k], w[k]);
            norm += w[k];
        }
        if (norm == 0)
        {
            norm = 0.001;
        }
        var feature = inter / norm;
        var eNum = Math.Min(x[d - 1], w[d - 1]) + Math.Min(x[(2 * d) - 1], w[(2 * d) - 1]);
        var eDen = w[d - 1] + w[(2 * d) - 1];
        energy = eDen == 0 ? 0 : eNum / eDen;
        return feature * feature * feature * energy * energy;
    }

    /// <summary>Complement codes <paramref name="f"/> into <paramref name="x"/> ([f, 1 − f]).</summary>
    public static void ComplementCode(ReadOnlySpan<double> f, Span<double> x)
    {
        for (var k = 0; k < f.Length; k++)
        {
            x[k] = f[k];
            x[f.Length + k] = 1 - f[k];
        }
    }

    /// <summary>Fast learning: w ← x ∧ w.</summary>
    public static void Learn(ReadOnlySpan<double> x, Span<double> w)
    {
        for (var k = 0; k < x.Length; k++)
        {
            w[k] = Math.Min(x[k], w[k]);
        }
    }

    /// <summary>
    /// Presents one input. With <paramref name="learn"/> false only the match is computed (and −1 returned).
    /// Returns the cluster label the input resonated with or was committed to, or −1 on a mismatch.
    /// </summary>
    public int Train(ReadOnlySpan<double> f, bool learn = true)
    {
        if (f.Length != Dimensions)
        {
            throw new ArgumentException($"Expected {Dimensions} features, got {f.Length}.", nameof(f));
        }
        _clock++;
        if (Categories == 0)
        {
            // the uncommitted category; the first input is not learned
            _w.AsSpan(0, 2 * Dimensions).Fill(1);
            _labels[0] = 1;
            _lastUsed[0] = _clock;
            Categories = 1;
            Clusters = 1;
            LastMatch = 0;
            LastEnergy = 0;
            return 1;
        }
        ComplementCode(f, _x);
        var best = -1;
        double bestMatch = 0, bestEnergy = 0;
        for (var j = 0; j < Categories; j++)
        {
            var m = Match(_x, Weights(j), out var e);
            _match[j] = m;
            if (m > bestMatch)
            {
                bestMatch = m;
                bestEnergy = e;
                best = j;
            }
        }
        LastMatch = bestMatch;
        LastEnergy = bestEnergy;
        if (!learn)
        {
            return -1;
        }
        if (best >= 0 && bestMatch >= RhoUpper)
        {
            for (var j = 0; j < Categories; j++)
            {
                if (_match[j] >= RhoUpper)
                {
                    Learn(_x, _w.AsSpan(j * 2 * Dimensions, 2 * Dimensions));
                    _lastUsed[j] = _clock;
                }
            }
            return _labels[best];
        }
        if (best >= 0 && bestMatch >= RhoLower)
        {
            _lastUsed[best] = _clock;
            Commit(_labels[best]);
            return _labels[best];
        }
        Clusters++;
        Commit(Clusters);
        return -1;
    }

    private void Commit(int label)
    {
        int j;
        if (Categories < Capacity)
        {
            j = Categories++;
        }
        else
        {
            // replace the least recently resonating category (never the uncommitted one at 0)
            j = 1;
            for (var k = 2; k < Categories; k++)
            {
                if (_lastUsed[k] < _lastUsed[j])
                {
                    j = k;
                }
            }
            Evictions++;
        }
        _x.CopyTo(_w.AsSpan(j * 2 * Dimensions, 2 * Dimensions));
        _labels[j] = label;
        _lastUsed[j] = _clock;
    }

    /// <summary>
    /// Re-expresses feature coordinates [from, to) after an affine change of their scale (x' = a·x + b with
    /// 0 &lt; a ≤ 1 and x' in [0, 1]): each category's box in those coordinates is mapped exactly; empty boxes
    /// (lower corner above the upper one, e.g. the uncommitted category) are left as they are.
    /// </summary>
    public void Rescale(int from, int to, double a, double b)
    {
        var d = Dimensions;
        for (var j = 0; j < Categories; j++)
        {
            var w = _w.AsSpan(j * 2 * d, 2 * d);
            for (var k = from; k < to; k++)
            {
                var lower = w[k];
                var upper = 1 - w[d + k];
                if (lower > upper)
                {
                    continue;
                }
                w[k] = Math.Clamp((a * lower) + b, 0, 1);
                w[d + k] = Math.Clamp(1 - ((a * upper) + b), 0, 1);
            }
        }
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Dimensions);
        writer.Write(Capacity);
        writer.Write(Categories);
        writer.Write(Clusters);
        writer.Write(RhoLower);
        writer.Write(RhoUpper);
        writer.Write(LastMatch);
        writer.Write(LastEnergy);
        writer.Write(Evictions);
        writer.Write(_clock);
        // fixed size: every slot is written, used or not
        DetectorState.WriteArray(writer, _w);
        DetectorState.WriteArray(writer, _labels);
        writer.Write(_lastUsed.Length);
        foreach (var t in _lastUsed)
        {
            writer.Write(t);
        }
    }

    public void Read(BinaryReader reader)
    {
        if (reader.ReadInt32() != Dimensions || reader.ReadInt32() != Capacity)
        {
            throw new InvalidDataException("Fuzzy ART state has other dimensions or capacity than this detector.");
        }
        Categories = reader.ReadInt32();
        if (Categories < 0 || Categories > Capacity)
        {
            throw new InvalidDataException($"Fuzzy ART state claims {Categories} categories (capacity {Capacity}).");
        }
        Clusters = reader.ReadInt32();
        RhoLower = reader.ReadDouble();
        RhoUpper = reader.ReadDouble();
        LastMatch = reader.ReadDouble();
        LastEnergy = reader.ReadDouble();
        Evictions = reader.ReadInt64();
        _clock = reader.ReadInt64();
        DetectorState.ReadArray(reader, _w);
        DetectorState.ReadArray(reader, _labels);
        if (reader.ReadInt32() != _lastUsed.Length)
        {
            throw new InvalidDataException("Fuzzy ART state has a wrong recency table.");
        }
        for (var i = 0; i < _lastUsed.Length; i++)
        {
            _lastUsed[i] = reader.ReadInt64();
        }
    }
}
