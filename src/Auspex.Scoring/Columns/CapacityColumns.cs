using Auspex.Core.Resources;
using Auspex.Core.Topology;
using Auspex.Scoring.Internal;

namespace Auspex.Scoring;

/// <summary>
/// Computes the <see cref="CapacityExhaustion"/> rows of every locality from <see cref="ForecastColumns"/> in one bottom-up
/// pass: host forecasts are summed into racks, zones and regions step by step (means add; variances add under
/// independence, each host's spread taken from its own quantile); steps are aligned by index and cut to the shortest
/// forecast. The arithmetic and its order are those of the straightforward object path it replaced (kept under
/// tests/Auspex.Scoring.Tests/Reference), so the numbers are identical. Host series are evaluated in parallel (each is independent; each also leaves the variance its spread
/// implies, per row, in a buffer); the sums into racks, zones and regions then run in one sequential walk in the
/// original order (children after parents, backwards), so every sum adds the same terms in the same order.
/// </summary>
internal sealed class CapacityColumns
{
    private readonly double _q;
    private readonly double _z;
    private readonly double _comfortable;
    private readonly int _parallelism;
    private double[][] _var = [];

    public CapacityColumns(ScoringOptions options)
    {
        _q = options.Quantile;
        _z = SpecialFunctions.NormalQuantile(_q);
        _comfortable = options.ComfortableHeadroom;
        _parallelism = options.Parallelism ?? -1;
    }

    private sealed class Acc
    {
        public int Hosts;
        public double Capacity;
        public double[] Mean = [];
        public double[] Var = [];
        public DateTimeOffset[] At = [];
        public (int Col, int Series) Single = (-1, -1);

        public void Add(Acc other)
        {
            if (Hosts == 0)
            {
                Mean = (double[])other.Mean.Clone();
                Var = (double[])other.Var.Clone();
                At = other.At;
                Single = other.Single;
            }
            else
            {
                var n = Math.Min(Mean.Length, other.Mean.Length);
                if (n < Mean.Length)
                {
                    Array.Resize(ref Mean, n);
                    Array.Resize(ref Var, n);
                    At = At[..n];
                }
                for (var i = 0; i < n; i++)
                {
                    Mean[i] += other.Mean[i];
                    Var[i] += other.Var[i];
                }
                Single = (-1, -1);
            }
            Hosts += other.Hosts;
            Capacity += other.Capacity;
        }
    }

    private sealed class ColumnInfo(ForecastColumn column, double q)
    {
        public ForecastColumn Column { get; } = column;
        public double[] Levels { get; } = column.LevelArray;
        public double[] Z { get; } = ExhaustionMath.LevelScores(column.LevelArray);
        public (int J, double T) Position { get; } = QuantilePosition(column.LevelArray, q);
    }

    public CapacityRows Compute(FleetIndex index, ForecastColumns columns, DateTimeOffset at)
    {
        var placement = columns.PlaceOn(index);
        var cols = columns.Columns;
        var info = new ColumnInfo[cols.Count];
        if (_var.Length < cols.Count)
        {
            Array.Resize(ref _var, cols.Count);
        }
        for (var c = 0; c < cols.Count; c++)
        {
            info[c] = new ColumnInfo(cols[c], _q);
            if (cols[c].Resource.IsCapacity() && (_var[c] is null || _var[c].Length < cols[c].Rows))
            {
                _var[c] = new double[cols[c].Rows];
            }
        }
        var n = index.Localities.Length;
        var entries = placement.Entries;
        var kinds = new HashSet<ResourceKind>();
        foreach (var c in cols)
        {
            if (c.Resource.IsCapacity())
            {
                kinds.Add(c.Resource);
            }
        }
        var nonHost = n - index.Hosts.Length;
        var rows = new CapacityRow[entries.Length + nonHost * kinds.Count];
        var start = new int[n];
        var count = new int[n];
        for (var li = 0; li < n; li++)
        {
            start[li] = placement.Start[li];
            count[li] = placement.Start[li + 1] - placement.Start[li];
        }

        // 1. Every host series on its own, in parallel chunks of hosts.
        var hosts = index.Hosts;
        var chunks = Math.Max(1, Math.Min(64, hosts.Length / 64));
        var vars = _var;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, chunk =>
        {
            var probs = new double[16];
            var from = (int)((long)hosts.Length * chunk / chunks);
            var to = (int)((long)hosts.Length * (chunk + 1) / chunks);
            for (var h = from; h < to; h++)
            {
                var li = hosts[h];
                for (var e = placement.Start[li]; e < placement.Start[li + 1]; e++)
                {
                    var (c, s) = entries[e];
                    var kind = cols[c].Resource;
                    var cap = index.CapacityOf(li, kind);
                    if (cap <= 0)
                    {
                        continue;
                    }
                    EvaluateHost(ref rows[e], kind, info[c], s, cap, at, ref probs, vars[c]);
                }
            }
        });

        // 2. Sums, in the order of the object path: localities backwards (children before parents), each host's
        //    series in its order.
        var accs = new List<(ResourceKind Kind, Acc Acc)>?[n];
        var next = entries.Length;
        for (var li = n - 1; li >= 0; li--)
        {
            var parent = index.Parent[li];
            if (index.Localities[li].Kind == LocalityKind.Host)
            {
                if (parent < 0)
                {
                    continue;
                }
                for (var e = placement.Start[li]; e < placement.Start[li + 1]; e++)
                {
                    if (!rows[e].Present)
                    {
                        continue;
                    }
                    var (c, s) = entries[e];
                    var col = cols[c];
                    AddHost(Find(accs[parent] ??= new(8), col.Resource), col, c, s, vars[c], rows[e].Capacity);
                }
                continue;
            }
            if (accs[li] is not { Count: > 0 } mine)
            {
                continue;
            }
            accs[li] = null;
            start[li] = next;
            count[li] = mine.Count;
            foreach (var (kind, acc) in mine)
            {
                Evaluate(ref rows[next++], kind, acc, info, at);
            }
            if (parent >= 0)
            {
                var p = accs[parent] ??= new(8);
                foreach (var (kind, acc) in mine)
                {
                    Find(p, kind).Add(acc);
                }
            }
        }
        return new CapacityRows(rows, start, count, _q);
    }

    private static Acc Find(List<(ResourceKind Kind, Acc Acc)> accs, ResourceKind kind)
    {
        foreach (var (k, a) in accs)
        {
            if (k == kind)
            {
                return a;
            }
        }
        var acc = new Acc();
        accs.Add((kind, acc));
        return acc;
    }

    // What EvaluateHost of the object path did to its parent's sum: means add, variances of the implied spread add.
    private static void AddHost(Acc sum, ForecastColumn col, int c, int s, double[] variance, double capacity)
    {
        var from = col.OffsetArray[s];
        var n = col.OffsetArray[s + 1] - from;
        var mean = col.MeanArray;
        var k = n;
        var first = sum.Hosts == 0;
        if (first)
        {
            sum.Mean = new double[n];
            sum.Var = new double[n];
            sum.At = col.AtArray.AsSpan(from, n).ToArray();
            sum.Single = (c, s);
            Array.Copy(mean, from, sum.Mean, 0, n);
            Array.Copy(variance, from, sum.Var, 0, n);
        }
        else
        {
            k = Math.Min(sum.Mean.Length, n);
            if (k < sum.Mean.Length)
            {
                Array.Resize(ref sum.Mean, k);
                Array.Resize(ref sum.Var, k);
                sum.At = sum.At[..k];
            }
            sum.Single = (-1, -1);
            var m = sum.Mean;
            var v = sum.Var;
            for (var i = 0; i < k; i++)
            {
                m[i] += mean[from + i];
                v[i] += variance[from + i];
            }
        }
        sum.Hosts += 1;
        sum.Capacity += capacity;
    }

    // Forecast.Quantile's search for the scoring quantile, once per level list.
    private static (int J, double T) QuantilePosition(double[] levels, double q)
    {
        if (q <= levels[0])
        {
            return (-1, 0);
        }
        for (var i = 1; i < levels.Length; i++)
        {
            if (q <= levels[i])
            {
                return (i, (q - levels[i - 1]) / (levels[i] - levels[i - 1]));
            }
        }
        return (int.MaxValue, 0);
    }

    private static double QuantileAt(ReadOnlySpan<double> q, int j, double t) =>
        j < 0 ? q[0] : j == int.MaxValue ? q[^1] : q[j - 1] + t * (q[j] - q[j - 1]);

    /// <summary>
    /// Where 1 − Φ(y) is exactly 0 in double arithmetic (erfc's remainder is below 1e-18, under half an ulp of 2; checked
    /// by a test): above the top quantile the exceedance is 1 − Φ(y) and is not computed from there on.
    /// </summary>
    internal const double FarTail = 9;

    /// <summary>ExhaustionMath.ExceedProbability (with the level scores precomputed) on spans: the same arithmetic.</summary>
    internal static double Exceed(ReadOnlySpan<double> levels, ReadOnlySpan<double> z, ReadOnlySpan<double> q, double capacity)
    {
        var k = Math.Min(levels.Length, q.Length);
        if (k >= 2 && capacity > q[k - 1] && q[0] != q[k - 1])
        {
            var sigma = (q[k - 1] - q[k - 2]) / (z[k - 1] - z[k - 2]);
            if (!(sigma > 0) || !double.IsFinite(sigma))
            {
                return 0;
            }
            var y = z[k - 1] + (capacity - q[k - 1]) / sigma;
            return y >= FarTail ? 0 : 1 - SpecialFunctions.NormalCdf(y);
        }
        if (k == 0 || double.IsNaN(capacity))
        {
            return double.NaN;
        }
        if (q[0] == q[k - 1])
        {
            return q[0] >= capacity ? 1 : 0;
        }
        if (capacity < q[0])
        {
            var sigma = (q[1] - q[0]) / (z[1] - z[0]);
            var cdf = !(sigma > 0) || !double.IsFinite(sigma)
                ? (capacity < q[0] ? 0 : levels[0])
                : SpecialFunctions.NormalCdf(z[0] + (capacity - q[0]) / sigma);
            return 1 - cdf;
        }
        if (capacity > q[k - 1])
        {
            // k == 1 is a point mass (handled above); k ≥ 2 with a flat top was the first branch.
            return 0;
        }
        for (var i = 0; i < k - 1; i++)
        {
            if (capacity <= q[i + 1])
            {
                var span = q[i + 1] - q[i];
                var f = span <= 0 ? levels[i + 1] : levels[i] + (capacity - q[i]) / span * (levels[i + 1] - levels[i]);
                return ScoreNormalizer.Clamp01(1 - f);
            }
        }
        return 0;
    }

    private void EvaluateHost(ref CapacityRow row, ResourceKind kind, ColumnInfo info, int s, double capacity, DateTimeOffset at,
        ref double[] probs, double[] variance)
    {
        var col = info.Column;
        var from = col.OffsetArray[s];
        var n = col.OffsetArray[s + 1] - from;
        if (probs.Length < n)
        {
            probs = new double[n];
        }
        var (j, t) = info.Position;
        ReadOnlySpan<double> levels = info.Levels;
        ReadOnlySpan<double> z = info.Z;
        var width = levels.Length;
        var quantiles = col.QuantileArray;
        var mean = col.MeanArray;
        var times = col.AtArray;
        var peak = double.NegativeInfinity;
        var peakAt = times[from];
        for (var i = 0; i < n; i++)
        {
            var r = from + i;
            var q = new ReadOnlySpan<double>(quantiles, r * width, width);
            var value = QuantileAt(q, j, t);
            probs[i] = Exceed(levels, z, q, capacity);
            if (value > peak)
            {
                peak = value;
                peakAt = times[r];
            }
            var sd = _z > 0 ? Math.Max(0, value - mean[r]) / _z : 0;
            variance[r] = sd * sd;
        }
        var headroom = 1 - Math.Max(0, peak) / capacity;
        double cumulative = 0, expectedSeconds = 0;
        var likelyAt = -1;
        for (var i = 0; i < n; i++)
        {
            var p = ScoreNormalizer.Clamp01(probs[i]);
            var stepAt = times[from + i];
            if (p > cumulative)
            {
                expectedSeconds += (p - cumulative) * Math.Max(0, (stepAt - at).TotalSeconds);
                cumulative = p;
            }
            if (likelyAt < 0 && cumulative >= 0.5)
            {
                likelyAt = from + i;
            }
        }
        var last = times[from + n - 1];
        expectedSeconds += (1 - cumulative) * Math.Max(0, (last - at).TotalSeconds);
        var horizon = last - at;
        row.Present = true;
        row.Kind = kind;
        row.Hosts = 1;
        row.Capacity = capacity;
        row.Peak = peak;
        row.PeakAt = peakAt;
        row.Headroom = headroom;
        row.Probability = cumulative;
        row.Expected = TimeSpan.FromSeconds(expectedSeconds);
        row.HasLikely = likelyAt >= 0;
        row.Likely = likelyAt >= 0 ? times[likelyAt] : default;
        row.Horizon = horizon < TimeSpan.Zero ? TimeSpan.Zero : horizon;
        row.Value = ExhaustionMath.Value(headroom, _comfortable, cumulative);
    }

    private void Evaluate(ref CapacityRow row, ResourceKind kind, Acc acc, ColumnInfo[] info, DateTimeOffset at)
    {
        var n = acc.Mean.Length;
        var probs = new double[n];
        var peak = double.NegativeInfinity;
        var peakAt = n > 0 ? acc.At[0] : at;
        for (var i = 0; i < n; i++)
        {
            double value;
            if (acc.Single.Col >= 0)
            {
                var ci = info[acc.Single.Col];
                var width = ci.Levels.Length;
                var r = ci.Column.OffsetArray[acc.Single.Series] + i;
                var q = new ReadOnlySpan<double>(ci.Column.QuantileArray, r * width, width);
                value = QuantileAt(q, ci.Position.J, ci.Position.T);
                probs[i] = Exceed(ci.Levels, ci.Z, q, acc.Capacity);
            }
            else
            {
                var sd = Math.Sqrt(acc.Var[i]);
                value = acc.Mean[i] + _z * sd;
                probs[i] = ExhaustionMath.ExceedProbabilityNormal(acc.Mean[i], sd, acc.Capacity);
            }
            if (value > peak)
            {
                peak = value;
                peakAt = acc.At[i];
            }
        }
        var headroom = 1 - Math.Max(0, peak) / acc.Capacity;
        var (p, expected, likely) = ExhaustionMath.TimeToExhaustion(probs, acc.At, at);
        var horizon = n > 0 ? acc.At[n - 1] - at : TimeSpan.Zero;
        row.Present = true;
        row.Kind = kind;
        row.Hosts = acc.Hosts;
        row.Capacity = acc.Capacity;
        row.Peak = peak;
        row.PeakAt = peakAt;
        row.Headroom = headroom;
        row.Probability = p;
        row.Expected = expected;
        row.HasLikely = likely is not null;
        row.Likely = likely ?? default;
        row.Horizon = horizon < TimeSpan.Zero ? TimeSpan.Zero : horizon;
        row.Value = ExhaustionMath.Value(headroom, _comfortable, p);
    }
}
