using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Topology;
using Auspex.Scoring.Internal;

using Auspex.Scoring;

namespace Auspex.Scoring.Tests.Reference;

// The straightforward scoring path as it was before the speed work (2026-12-04), kept unchanged as the reference the
// optimised ReferenceLocalityScorer is checked against (ReferenceScorerTests).

/// <summary>
/// Computes <see cref="CapacityExhaustion"/> for every locality and capacity resource in one bottom-up pass: host
/// forecasts are summed into racks, zones and regions step by step (means add; variances add under independence, each
/// host's spread taken from its own quantile). Steps are aligned by index and cut to the shortest forecast.
/// </summary>
internal sealed class ReferenceCapacityCalculator
{
    private readonly double _q;
    private readonly double _z;
    private readonly double _comfortable;
    private readonly Dictionary<IReadOnlyList<double>, double[]> _levelScores = new(ReferenceEqualityComparer.Instance);

    public ReferenceCapacityCalculator(ScoringOptions options)
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
    public Dictionary<string, List<CapacityExhaustion>> Compute(Topology topology, IReadOnlyList<HostForecast> forecasts, DateTimeOffset at)
    {
        var byHost = new Dictionary<string, Dictionary<ResourceKind, Forecast>>(StringComparer.Ordinal);
        foreach (var f in forecasts)
        {
            if (!f.Resource.IsCapacity() || f.Forecast.Points.Count == 0)
            {
                continue;
            }
            if (!byHost.TryGetValue(f.Host, out var d))
            {
                byHost[f.Host] = d = [];
            }
            d.TryAdd(f.Resource, f.Forecast);
        }
        var accs = new Dictionary<string, Dictionary<ResourceKind, Acc>>(StringComparer.Ordinal);
        var result = new Dictionary<string, List<CapacityExhaustion>>(StringComparer.Ordinal);
        // Children come after parents in Localities, so walking backwards sees every child before its parent.
        for (var li = topology.Localities.Count - 1; li >= 0; li--)
        {
            var loc = topology.Localities[li];
            Dictionary<ResourceKind, Acc>? mine;
            if (loc.Kind == LocalityKind.Host)
            {
                mine = byHost.TryGetValue(loc.Id, out var fs) ? HostAccs(loc, fs) : null;
            }
            else
            {
                accs.Remove(loc.Id, out mine);
            }
            if (mine is null || mine.Count == 0)
            {
                continue;
            }
            var list = new List<CapacityExhaustion>(mine.Count);
            foreach (var (kind, acc) in mine)
            {
                list.Add(Evaluate(loc.Id, kind, acc, at));
            }
            result[loc.Id] = list;
            if (loc.Parent is { } parent)
            {
                if (!accs.TryGetValue(parent, out var p))
                {
                    accs[parent] = p = [];
                }
                foreach (var (kind, acc) in mine)
                {
                    if (!p.TryGetValue(kind, out var pa))
                    {
                        p[kind] = pa = new Acc();
                    }
                    pa.Add(acc);
                }
            }
        }
        return result;
    }

    private Dictionary<ResourceKind, Acc> HostAccs(Locality host, Dictionary<ResourceKind, Forecast> fs)
    {
        var d = new Dictionary<ResourceKind, Acc>();
        foreach (var (kind, f) in fs)
        {
            var cap = host.Capacity[kind];
            if (cap <= 0)
            {
                continue;
            }
            var n = f.Points.Count;
            var acc = new Acc { Hosts = 1, Capacity = cap, Mean = new double[n], Var = new double[n], At = new DateTimeOffset[n], Single = f };
            for (var i = 0; i < n; i++)
            {
                acc.Mean[i] = f.Points[i].Mean;
                var sd = ExhaustionMath.ImpliedSd(f, i, _q, _z);
                acc.Var[i] = sd * sd;
                acc.At[i] = f.Points[i].At;
            }
            d[kind] = acc;
        }
        return d;
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
