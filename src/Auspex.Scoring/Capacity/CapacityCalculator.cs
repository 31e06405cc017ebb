using System.Runtime.InteropServices;
using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Topology;
using Auspex.Scoring.Internal;

namespace Auspex.Scoring;

/// <summary>
/// Computes <see cref="CapacityExhaustion"/> for every locality and capacity resource in one bottom-up pass: host
/// forecasts are summed into racks, zones and regions step by step (means add; variances add under independence, each
/// host's spread taken from its own quantile). Steps are aligned by index and cut to the shortest forecast.
/// </summary>
internal sealed class CapacityCalculator
{
    private readonly double _q;
    private readonly double _z;
    private readonly double _comfortable;
    private readonly Dictionary<IReadOnlyList<double>, double[]> _levelScores = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<IReadOnlyList<double>, (int J, double T)> _positions = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<IReadOnlyList<double>, double[]> _levelArrays = new(ReferenceEqualityComparer.Instance);
    private double[] _scratch = new double[8];

    public CapacityCalculator(ScoringOptions options)
    {
        _q = options.Quantile;
        _z = SpecialFunctions.NormalQuantile(_q);
        _comfortable = options.ComfortableHeadroom;
    }

    private sealed class Acc
    {
        public int Hosts;
        public double Capacity;
        public double[] Mean = [];
        public double[] Var = [];
        public DateTimeOffset[] At = [];
        public Forecast? Single;

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
                Single = null;
            }
            Hosts += other.Hosts;
            Capacity += other.Capacity;
        }
    }

    /// <summary>Per locality id, its exhaustion records (one per capacity resource with data).</summary>
    public Dictionary<string, List<CapacityExhaustion>> Compute(Topology topology, IReadOnlyList<HostForecast> forecasts, DateTimeOffset at) =>
        Compute(FleetIndex.For(topology), forecasts, at);

    /// <summary>
    /// As <see cref="Compute(Topology, IReadOnlyList{HostForecast}, DateTimeOffset)"/> over an index: host forecasts are
    /// evaluated straight from their quantiles without intermediate copies, and only sums for racks and above are
    /// accumulated. The arithmetic and its order are those of the straightforward path, so results are identical.
    /// </summary>
    public Dictionary<string, List<CapacityExhaustion>> Compute(FleetIndex index, IReadOnlyList<HostForecast> forecasts, DateTimeOffset at)
    {
        var n = index.Localities.Length;
        // First forecast per (host, capacity kind), kinds in the order they first appear for the host.
        var byHost = new List<(ResourceKind Kind, Forecast Forecast)>?[n];
        foreach (var f in forecasts)
        {
            if (!f.Resource.IsCapacity() || f.Forecast.Points.Count == 0 || !index.Position.TryGetValue(f.Host, out var hi)
                || index.Localities[hi].Kind != LocalityKind.Host)
            {
                continue;
            }
            var d = byHost[hi] ??= new(8);
            var seen = false;
            foreach (var (k, _) in d)
            {
                seen |= k == f.Resource;
            }
            if (!seen)
            {
                d.Add((f.Resource, f.Forecast));
            }
        }
        var accs = new List<(ResourceKind Kind, Acc Acc)>?[n];
        var result = new Dictionary<string, List<CapacityExhaustion>>(n, StringComparer.Ordinal);
        var probs = new double[16];
        // Children come after parents in Localities, so walking backwards sees every child before its parent.
        for (var li = n - 1; li >= 0; li--)
        {
            var loc = index.Localities[li];
            var parent = index.Parent[li];
            if (loc.Kind == LocalityKind.Host)
            {
                if (byHost[li] is not { } fs)
                {
                    continue;
                }
                List<CapacityExhaustion>? list = null;
                foreach (var (kind, f) in fs)
                {
                    var cap = loc.Capacity[kind];
                    if (cap <= 0)
                    {
                        continue;
                    }
                    var m = f.Points.Count;
                    if (probs.Length < m)
                    {
                        probs = new double[m];
                    }
                    var sum = parent >= 0 ? Find(accs[parent] ??= new(8), kind) : null;
                    (list ??= new List<CapacityExhaustion>(fs.Count)).Add(EvaluateHost(loc.Id, kind, f, cap, at, probs, sum));
                }
                if (list is not null)
                {
                    result[loc.Id] = list;
                }
                continue;
            }
            if (accs[li] is not { Count: > 0 } mine)
            {
                continue;
            }
            accs[li] = null;
            var rows = new List<CapacityExhaustion>(mine.Count);
            foreach (var (kind, acc) in mine)
            {
                rows.Add(Evaluate(loc.Id, kind, acc, at));
            }
            result[loc.Id] = rows;
            if (parent >= 0)
            {
                var p = accs[parent] ??= new(8);
                foreach (var (kind, acc) in mine)
                {
                    Find(p, kind).Add(acc);
                }
            }
        }
        return result;
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

    // Where the scoring quantile sits among a forecast's levels (Forecast.Quantile's search, done once per level
    // list): J = −1 at or below the first level, int.MaxValue above the last, else between J − 1 and J at T.
    private (int J, double T) QuantilePosition(IReadOnlyList<double> levels)
    {
        if (_positions.TryGetValue(levels, out var pos))
        {
            return pos;
        }
        pos = (int.MaxValue, 0);
        if (_q <= levels[0])
        {
            pos = (-1, 0);
        }
        else
        {
            for (var i = 1; i < levels.Count; i++)
            {
                if (_q <= levels[i])
                {
                    pos = (i, (_q - levels[i - 1]) / (levels[i] - levels[i - 1]));
                    break;
                }
            }
        }
        _positions[levels] = pos;
        return pos;
    }

    // Forecast.Quantile at a precomputed position (the same arithmetic).
    private static double QuantileAt(ReadOnlySpan<double> q, int j, double t) =>
        j < 0 ? q[0] : j == int.MaxValue ? q[^1] : q[j - 1] + t * (q[j] - q[j - 1]);

    // The list's storage when it is an array or a List, else a copy in the scratch buffer (no allocation per step).
    private ReadOnlySpan<double> AsSpan(IReadOnlyList<double> list)
    {
        switch (list)
        {
            case double[] a:
                return a;
            case List<double> l:
                return CollectionsMarshal.AsSpan(l);
            default:
                if (_scratch.Length < list.Count)
                {
                    _scratch = new double[list.Count];
                }
                for (var i = 0; i < list.Count; i++)
                {
                    _scratch[i] = list[i];
                }
                return _scratch.AsSpan(0, list.Count);
        }
    }

    /// <summary>
    /// ExhaustionMath.ExceedProbability with precomputed level scores, on spans. Above the top quantile the normal
    /// tail is 1 − Φ(y); for y ≥ 9, Φ(y) rounds to exactly 1 in double (erfc's remainder is below 1e-18, under half an
    /// ulp of 2), so the probability is exactly 0 and the exponential is skipped.
    /// </summary>
    private static double Exceed(ReadOnlySpan<double> levels, double[] z, ReadOnlySpan<double> q, double capacity,
        IReadOnlyList<double> levelList, IReadOnlyList<double> quantileList)
    {
        var k = Math.Min(levels.Length, q.Length);
        if (k >= 2 && capacity > q[k - 1] && q[0] != q[k - 1])
        {
            var sigma = (q[k - 1] - q[k - 2]) / (z[k - 1] - z[k - 2]);
            if (!(sigma > 0) || !double.IsFinite(sigma))
            {
                // Flat tail: all remaining mass sits at the top quantile, below capacity.
                return 0;
            }
            var y = z[k - 1] + (capacity - q[k - 1]) / sigma;
            return y >= FarTail ? 0 : 1 - SpecialFunctions.NormalCdf(y);
        }
        return ExhaustionMath.ExceedProbability(levelList, quantileList, capacity);
    }

    /// <summary>Where 1 − Φ(y) is exactly 0 in double arithmetic (checked by a test).</summary>
    internal const double FarTail = 9;

    // Evaluate() for a host's own forecast, read in place in one pass that also adds it to its parent's sum (what
    // Acc.Add of a one-host Acc did: means add, variances of the spread implied at the quantile add).
    private CapacityExhaustion EvaluateHost(string locality, ResourceKind kind, Forecast f, double capacity, DateTimeOffset at, double[] probs, Acc? sum)
    {
        var n = f.Points.Count;
        var (j, t) = QuantilePosition(f.Levels);
        if (!_levelScores.TryGetValue(f.Levels, out var zs))
        {
            _levelScores[f.Levels] = zs = ExhaustionMath.LevelScores(f.Levels);
        }
        if (!_levelArrays.TryGetValue(f.Levels, out var levelArray))
        {
            _levelArrays[f.Levels] = levelArray = [.. f.Levels];
        }
        ReadOnlySpan<double> levels = levelArray;
        var k = n;
        if (sum is not null)
        {
            if (sum.Hosts == 0)
            {
                sum.Mean = new double[n];
                sum.Var = new double[n];
                sum.At = new DateTimeOffset[n];
                sum.Single = f;
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
                sum.Single = null;
            }
        }
        var first = sum is not null && sum.Hosts == 0;
        var peak = double.NegativeInfinity;
        var peakAt = f.Points[0].At;
        for (var i = 0; i < n; i++)
        {
            var pt = f.Points[i];
            var q = AsSpan(pt.Quantiles);
            var value = QuantileAt(q, j, t);
            probs[i] = Exceed(levels, zs, q, capacity, f.Levels, pt.Quantiles);
            if (value > peak)
            {
                peak = value;
                peakAt = pt.At;
            }
            if (sum is not null && i < k)
            {
                // ExhaustionMath.ImpliedSd at the same quantile value.
                var sd = _z > 0 ? Math.Max(0, value - pt.Mean) / _z : 0;
                if (first)
                {
                    sum.Mean[i] = pt.Mean;
                    sum.Var[i] = sd * sd;
                    sum.At[i] = pt.At;
                }
                else
                {
                    sum.Mean[i] += pt.Mean;
                    sum.Var[i] += sd * sd;
                }
            }
        }
        if (sum is not null)
        {
            sum.Hosts += 1;
            sum.Capacity += capacity;
        }
        var headroom = 1 - Math.Max(0, peak) / capacity;
        // ExhaustionMath.TimeToExhaustion over the step times, inline.
        double cumulative = 0, expectedSeconds = 0;
        DateTimeOffset? likely = null;
        for (var i = 0; i < n; i++)
        {
            var p = ScoreNormalizer.Clamp01(probs[i]);
            var stepAt = f.Points[i].At;
            if (p > cumulative)
            {
                expectedSeconds += (p - cumulative) * Math.Max(0, (stepAt - at).TotalSeconds);
                cumulative = p;
            }
            if (likely is null && cumulative >= 0.5)
            {
                likely = stepAt;
            }
        }
        var last = f.Points[n - 1].At;
        expectedSeconds += (1 - cumulative) * Math.Max(0, (last - at).TotalSeconds);
        var horizon = last - at;
        return new CapacityExhaustion(locality, kind, 1, capacity, _q, peak, peakAt, headroom, cumulative, TimeSpan.FromSeconds(expectedSeconds), likely,
            horizon < TimeSpan.Zero ? TimeSpan.Zero : horizon, ExhaustionMath.Value(headroom, _comfortable, cumulative));
    }

    private CapacityExhaustion Evaluate(string locality, ResourceKind kind, Acc acc, DateTimeOffset at)
    {
        var n = acc.Mean.Length;
        var probs = new double[n];
        var peak = double.NegativeInfinity;
        var peakAt = n > 0 ? acc.At[0] : at;
        for (var i = 0; i < n; i++)
        {
            double value;
            if (acc.Single is { } f)
            {
                value = f.Quantile(i, _q);
                if (!_levelScores.TryGetValue(f.Levels, out var zs))
                {
                    _levelScores[f.Levels] = zs = ExhaustionMath.LevelScores(f.Levels);
                }
                probs[i] = ExhaustionMath.ExceedProbability(f.Levels, zs, f.Points[i].Quantiles, acc.Capacity);
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
        return new CapacityExhaustion(locality, kind, acc.Hosts, acc.Capacity, _q, peak, peakAt, headroom, p, expected, likely,
            horizon < TimeSpan.Zero ? TimeSpan.Zero : horizon, ExhaustionMath.Value(headroom, _comfortable, p));
    }
}
