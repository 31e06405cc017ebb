using System.Globalization;
using Auspex.Core.Resources;
using Auspex.Core.Topology;
using Auspex.Placement.Selection;

namespace Auspex.Placement.Scores;

/// <summary>A soft preference: a raw score per host in natural units, then one normalisation over all feasible hosts.</summary>
internal interface IScorePlugin
{
    string Name { get; }

    double Weight(PlacementOptions o);

    bool Applies(RequestContext ctx);

    double Raw(RequestContext ctx, int h);

    void Normalize(Span<double> values);

    string Explain(RequestContext ctx, int h, double raw);
}

/// <summary>Shared helpers for the two kube-scheduler resource scores (cpu and memory, weight 1 each).</summary>
internal static class ResourceBasisHelper
{
    public static readonly double[] Weights = [1, 1];

    public static void Fill(RequestContext ctx, int h, Span<double> requested, Span<double> allocatable)
    {
        Span<int> kinds = [(int)ResourceKind.Cpu, (int)ResourceKind.Memory];
        for (var i = 0; i < 2; i++)
        {
            var r = kinds[i];
            var basis = ctx.Options.Basis == ResourceBasis.Requests ? ctx.Allocated(h, r) : ctx.Used(h, r);
            requested[i] = basis + ctx.Need[r];
            allocatable[i] = ctx.S.Capacity[h * PlacementSnapshot.R + r];
        }
    }

    public static string Describe(RequestContext ctx, int h)
    {
        Span<double> req = stackalloc double[2];
        Span<double> cap = stackalloc double[2];
        Fill(ctx, h, req, cap);
        var basis = ctx.Options.Basis == ResourceBasis.Requests ? "requests" : $"max(requests, predicted {ctx.QuantileLabel})";
        return string.Create(CultureInfo.InvariantCulture,
            $"{basis} + this request: cpu {req[0]:0.###}/{cap[0]:0.###} cores, memory {req[1] / (1 << 30):0.##}/{cap[1] / (1 << 30):0.##} GiB");
    }
}

/// <summary>kube-scheduler's NodeResourcesFit LeastAllocated score (already 0–100).</summary>
internal sealed class LeastAllocatedScore : IScorePlugin
{
    public string Name => "LeastAllocated";

    public double Weight(PlacementOptions o) => o.LeastAllocatedWeight;

    public bool Applies(RequestContext ctx) => true;

    public double Raw(RequestContext ctx, int h)
    {
        Span<double> req = stackalloc double[2];
        Span<double> cap = stackalloc double[2];
        ResourceBasisHelper.Fill(ctx, h, req, cap);
        return KubeResourceScores.LeastAllocated(req, cap, ResourceBasisHelper.Weights);
    }

    public void Normalize(Span<double> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ScoreNormalizer.Fixed(values[i], 0, 100);
        }
    }

    public string Explain(RequestContext ctx, int h, double raw) => ResourceBasisHelper.Describe(ctx, h) + "; more free is better";
}

/// <summary>kube-scheduler's NodeResourcesBalancedAllocation score (already 0–100).</summary>
internal sealed class BalancedAllocationScore : IScorePlugin
{
    public string Name => "BalancedAllocation";

    public double Weight(PlacementOptions o) => o.BalancedAllocationWeight;

    public bool Applies(RequestContext ctx) => true;

    public double Raw(RequestContext ctx, int h)
    {
        Span<double> req = stackalloc double[2];
        Span<double> cap = stackalloc double[2];
        ResourceBasisHelper.Fill(ctx, h, req, cap);
        return KubeResourceScores.BalancedAllocation(req, cap);
    }

    public void Normalize(Span<double> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ScoreNormalizer.Fixed(values[i], 0, 100);
        }
    }

    public string Explain(RequestContext ctx, int h, double raw) => ResourceBasisHelper.Describe(ctx, h) + "; cpu and memory used in equal shares is better";
}

/// <summary>The locality's predicted desirability (0–1) from the scorer.</summary>
internal sealed class DesirabilityScore : IScorePlugin
{
    public string Name => "Desirability";

    public double Weight(PlacementOptions o) => o.DesirabilityWeight;

    public bool Applies(RequestContext ctx) => true;

    public double Raw(RequestContext ctx, int h) => ctx.S.Desirability[h];

    public void Normalize(Span<double> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ScoreNormalizer.Fixed(values[i], 0, 1);
        }
    }

    public string Explain(RequestContext ctx, int h, double raw) => ctx.S.DesirabilitySource[h] is { } src
        ? string.Create(CultureInfo.InvariantCulture, $"desirability {raw:0.###} of {src}")
        : string.Create(CultureInfo.InvariantCulture, $"no score for this host or its ancestors: neutral {raw:0.###}");
}

/// <summary>
/// Proximity to the components this one calls or is called by: Σ over peers of call rate × mean closeness to the
/// peer's replicas (same host 1, rack 0.75, zone 0.5, region 0.25, else 0). Normalised relative to the best host.
/// </summary>
internal sealed class ProximityScore : IScorePlugin
{
    public string Name => "Proximity";

    public double Weight(PlacementOptions o) => o.ProximityWeight;

    public bool Applies(RequestContext ctx) => ctx.Peers.Length > 0;

    public double Raw(RequestContext ctx, int h)
    {
        var sum = 0.0;
        foreach (var (_, w, hosts) in ctx.Peers)
        {
            var c = 0.0;
            foreach (var p in hosts)
            {
                c += Closeness(ctx.S, h, p);
            }
            sum += w * c / hosts.Length;
        }
        return sum;
    }

    internal static double Closeness(PlacementSnapshot s, int a, int b) =>
        a == b ? 1
        : Same(s, LocalityKind.Rack, a, b) ? 0.75
        : Same(s, LocalityKind.Zone, a, b) ? 0.5
        : Same(s, LocalityKind.Region, a, b) ? 0.25
        : 0;

    private static bool Same(PlacementSnapshot s, LocalityKind k, int a, int b)
    {
        var d = s.Domain[(int)k];
        return d[a] >= 0 && d[a] == d[b];
    }

    public void Normalize(Span<double> values) => ScoreNormalizer.RelativeToMax(values, reverse: false);

    public string Explain(RequestContext ctx, int h, double raw)
    {
        var best = ctx.Peers.Select(p => (p.Peer, p.Weight, Close: p.Hosts.Average(x => Closeness(ctx.S, h, x))))
            .OrderByDescending(p => p.Weight * p.Close).Take(3)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Peer} {p.Weight:0.##}/s closeness {p.Close:0.##}"));
        return string.Create(CultureInfo.InvariantCulture, $"weighted closeness {raw:0.##} to {ctx.Peers.Length} peer(s): ") + string.Join("; ", best);
    }
}

/// <summary>Soft spread: replicas of the same component already on the host (×4), rack (×2) and zone (×1); fewer is better.</summary>
internal sealed class SpreadScore : IScorePlugin
{
    public string Name => "Spread";

    public double Weight(PlacementOptions o) => o.SpreadWeight;

    public bool Applies(RequestContext ctx) => ctx.OwnHosts.Count > 0;

    public double Raw(RequestContext ctx, int h)
    {
        var s = ctx.S;
        int rack = s.Domain[(int)LocalityKind.Rack][h], zone = s.Domain[(int)LocalityKind.Zone][h];
        var v = 0.0;
        foreach (var o in ctx.OwnHosts)
        {
            v += o == h ? 4 : 0;
            v += rack >= 0 && s.Domain[(int)LocalityKind.Rack][o] == rack ? 2 : 0;
            v += zone >= 0 && s.Domain[(int)LocalityKind.Zone][o] == zone ? 1 : 0;
        }
        return v;
    }

    public void Normalize(Span<double> values) => ScoreNormalizer.RelativeToMax(values, reverse: true);

    public string Explain(RequestContext ctx, int h, double raw) =>
        string.Create(CultureInfo.InvariantCulture, $"crowding {raw:0} from {ctx.OwnHosts.Count} existing replica(s) of {ctx.Request.Component} (same host 4, rack 2, zone 1); less is better");
}

/// <summary>Preferred affinity terms: Σ weight × (+1 affinity satisfied, −1 anti-affinity violated), min–max normalised.</summary>
internal sealed class AffinityScore : IScorePlugin
{
    public string Name => "Affinity";

    public double Weight(PlacementOptions o) => o.AffinityWeight;

    public bool Applies(RequestContext ctx) => ctx.Request.Affinity.Any(t => !t.Required);

    public double Raw(RequestContext ctx, int h)
    {
        var v = 0.0;
        var terms = ctx.Request.Affinity;
        for (var i = 0; i < terms.Count; i++)
        {
            var t = terms[i];
            if (t.Required)
            {
                continue;
            }
            var d = ctx.S.Domain[(int)t.Scope][h];
            var present = d >= 0 && ctx.AffinityCounts[i].GetValueOrDefault(d) > 0;
            if (present)
            {
                v += t.Anti ? -t.Weight : t.Weight;
            }
        }
        return v;
    }

    public void Normalize(Span<double> values) => ScoreNormalizer.MinMax(values);

    public string Explain(RequestContext ctx, int h, double raw) =>
        string.Create(CultureInfo.InvariantCulture, $"preferred (anti-)affinity terms sum to {raw:0.##}");
}
