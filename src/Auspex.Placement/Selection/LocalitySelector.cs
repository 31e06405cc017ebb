using Auspex.Placement.Filters;
using Auspex.Placement.Scores;

namespace Auspex.Placement.Selection;

internal sealed class LocalitySelector : ILocalitySelector
{
    private static readonly IFilterPlugin[] Filters =
        [new OverrideFilter(), new TierFilter(), new MaintenanceFilter(), new FitFilter(), new AffinityFilter(), new SpreadFilter()];

    private static readonly IScorePlugin[] Scorers =
        [new LeastAllocatedScore(), new BalancedAllocationScore(), new DesirabilityScore(), new ProximityScore(), new SpreadScore(), new AffinityScore()];

    public LocalitySelector(PlacementOptions options) => Options = options;

    public PlacementOptions Options { get; }

    public PlacementEvaluation Evaluate(PlacementRequest request, PlacementSnapshot snapshot) => Evaluate(request, snapshot, null);

    public PlacementOutcome SelectLocality(PlacementRequest request, PlacementSnapshot snapshot, int seed) =>
        Choose(Evaluate(request, snapshot, null, seed), new Random(seed), seed);

    public IReadOnlyList<PlacementOutcome> SelectLocalities(PlacementRequest request, PlacementSnapshot snapshot, int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var rng = new Random(seed);
        var overlay = new Overlay();
        var outcomes = new List<PlacementOutcome>(count);
        for (var i = 0; i < count; i++)
        {
            var outcome = Choose(Evaluate(request, snapshot, overlay, unchecked(seed * 31 + i)), rng, seed);
            outcomes.Add(outcome);
            if (outcome is not PlacementOutcome.Placed placed)
            {
                break;
            }
            var h = snapshot.HostIndex[placed.Host];
            if (!overlay.Alloc.TryGetValue(h, out var a))
            {
                overlay.Alloc[h] = a = new double[PlacementSnapshot.R];
            }
            foreach (var (k, v) in request.Requests.Values)
            {
                a[(int)k] += v;
            }
            overlay.Placed.Add(h);
        }
        return outcomes;
    }

    /// <summary>
    /// kube-scheduler's numFeasibleNodesToFind: every host below 100; else the configured or adaptive percentage
    /// (50 − hosts/125, at least 5 %), never fewer than 100.
    /// </summary>
    internal static int FeasibleToFind(int hosts, int percentage)
    {
        if (hosts < 100 || percentage >= 100)
        {
            return hosts;
        }
        var pct = percentage > 0 ? percentage : Math.Max(5, 50 - hosts / 125);
        return Math.Max(100, (int)((long)hosts * pct / 100));
    }

    /// <summary>Filters and scores; with <paramref name="sampleSeed"/> (a decision) it may stop early, as kube-scheduler does.</summary>
    internal PlacementEvaluation Evaluate(PlacementRequest request, PlacementSnapshot snapshot, Overlay? overlay, int? sampleSeed = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(snapshot);
        var rejections = new List<Rejection>();
        int[] candidates;
        if (request.CandidateHosts is { } names)
        {
            var list = new List<int>(names.Count);
            foreach (var name in names)
            {
                if (snapshot.HostIndex.TryGetValue(name, out var h))
                {
                    list.Add(h);
                }
                else
                {
                    rejections.Add(new Rejection(name, "Topology", "not a host of the topology"));
                }
            }
            candidates = [.. list];
        }
        else
        {
            candidates = snapshot.AllHosts;
        }

        var ctx = new RequestContext(snapshot, request, Options, overlay, candidates);
        if (sampleSeed is not null && request.CandidateHosts is null && Options.IndexedCandidates > 0 && candidates.Length >= 100)
        {
            return EvaluateIndexed(ctx, rejections);
        }
        ctx.BeginCache();
        try
        {
            var limit = candidates.Length;
            var start = 0;
            if (sampleSeed is { } s && request.CandidateHosts is null)
            {
                limit = FeasibleToFind(candidates.Length, Options.PercentageOfHostsToScore);
                start = limit < candidates.Length ? (int)((uint)s * 2654435761u % (uint)candidates.Length) : 0;
            }
            return Evaluate(ctx, candidates, rejections, start, limit);
        }
        finally
        {
            ctx.EndCache();
        }
    }

    [ThreadStatic]
    private static int[]? _stamp;

    [ThreadStatic]
    private static int _generation;

    /// <summary>
    /// A decision through the snapshot's candidate index: the racks of the component's peers first (proximity), then
    /// hosts best prior first, until <see cref="PlacementOptions.IndexedCandidates"/> feasible hosts are found; the
    /// same filters and scores as a full evaluation on the hosts visited. Touches tens of hosts; no per-host allocation.
    /// </summary>
    private PlacementEvaluation EvaluateIndexed(RequestContext ctx, List<Rejection> rejections)
    {
        var s = ctx.S;
        var index = s.Index(Options);
        var k = Options.IndexedCandidates;
        var n = s.HostCount;
        var stamp = _stamp;
        if (stamp is null || stamp.Length < n)
        {
            _stamp = stamp = new int[Math.Max(n, 1024)];
            _generation = 0;
        }
        var gen = ++_generation;
        if (gen == int.MaxValue)
        {
            Array.Clear(stamp);
            _generation = gen = 1;
        }
        var feasible = new List<int>(k + 8);
        var lazy = new List<(int, IFilterPlugin)>();
        var examined = 0;

        bool Visit(int h)
        {
            if (stamp[h] == gen)
            {
                return false;
            }
            stamp[h] = gen;
            examined++;
            foreach (var f in Filters)
            {
                if (!f.Passes(ctx, h))
                {
                    lazy.Add((h, f));
                    return false;
                }
            }
            feasible.Add(h);
            return true;
        }

        if (ctx.Peers.Length > 0 && Options.ProximityWeight > 0)
        {
            // The hosts next to the services this component talks to score on proximity: a few feasible ones per rack.
            var rackOf = s.Domain[(int)Core.Topology.LocalityKind.Rack];
            var budget = k;
            foreach (var (_, _, hosts) in ctx.Peers)
            {
                foreach (var p in hosts)
                {
                    if (budget <= 0)
                    {
                        break;
                    }
                    if (rackOf[p] < 0 || !index.Racks.TryGetValue(rackOf[p], out var members))
                    {
                        budget--;
                        Visit(p);
                        continue;
                    }
                    // The peer's own host first (closeness 1), then its rack (0.75).
                    budget--;
                    var found = Visit(p) ? 1 : 0;
                    for (var i = 0; i < members.Length && found < 4 && budget > 0; i++)
                    {
                        budget--;
                        found += Visit(members[i]) ? 1 : 0;
                    }
                }
            }
        }
        var fromOrder = 0;
        var order = index.Order;
        for (var i = 0; i < order.Length && fromOrder < k; i++)
        {
            fromOrder += Visit(order[i]) ? 1 : 0;
        }
        feasible.Sort();
        lazy.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return Score(ctx, feasible, rejections, lazy, examined);
    }

    private PlacementEvaluation Evaluate(RequestContext ctx, int[] candidates, List<Rejection> rejections, int start, int limit)
    {
        var feasible = new List<int>(Math.Min(candidates.Length, limit));
        var lazy = new List<(int, IFilterPlugin)>();
        var examined = 0;
        for (var k = 0; k < candidates.Length && feasible.Count < limit; k++)
        {
            var idx = start + k;
            var h = candidates[idx >= candidates.Length ? idx - candidates.Length : idx];
            examined++;
            IFilterPlugin? failed = null;
            foreach (var f in Filters)
            {
                if (!f.Passes(ctx, h))
                {
                    failed = f;
                    break;
                }
            }
            if (failed is null)
            {
                feasible.Add(h);
            }
            else
            {
                lazy.Add((h, failed));
            }
        }
        if (start != 0)
        {
            // Candidate order (what callers and explanations expect), not the rotated visiting order.
            feasible.Sort();
            lazy.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        }
        return Score(ctx, feasible, rejections, lazy, examined);
    }

    private PlacementEvaluation Score(RequestContext ctx, List<int> feasible, List<Rejection> rejections, List<(int, IFilterPlugin)> lazy, int examined)
    {
        var active = Scorers.Where(p => p.Weight(Options) > 0 && p.Applies(ctx)).ToArray();
        var weights = active.Select(p => p.Weight(Options)).ToArray();
        var wsum = weights.Sum();
        var n = feasible.Count;
        var raw = new double[active.Length][];
        var norm = new double[active.Length][];
        var total = new double[n];
        for (var p = 0; p < active.Length; p++)
        {
            var r = new double[n];
            for (var i = 0; i < n; i++)
            {
                r[i] = active[p].Raw(ctx, feasible[i]);
            }
            var s = (double[])r.Clone();
            active[p].Normalize(s);
            raw[p] = r;
            norm[p] = s;
            var w = weights[p] / wsum;
            for (var i = 0; i < n; i++)
            {
                total[i] += w * s[i];
            }
        }
        return new PlacementEvaluation(ctx, active, weights, raw, norm, [.. feasible], total, rejections, lazy, examined);
    }

    /// <summary>The k best feasible hosts other than <paramref name="skip"/>, best first (ties by host id), in O(n·k).</summary>
    private static CandidateScore[] TopK(PlacementEvaluation e, int skip, int k)
    {
        var top = new List<int>(k + 1);
        for (var i = 0; i < e.FeasibleCount && k > 0; i++)
        {
            if (i == skip || (top.Count == k && !Better(e, i, top[^1])))
            {
                continue;
            }
            var at = top.Count;
            while (at > 0 && Better(e, i, top[at - 1]))
            {
                at--;
            }
            top.Insert(at, i);
            if (top.Count > k)
            {
                top.RemoveAt(k);
            }
        }
        return top.Select(i => new CandidateScore(e.Host(i), e.Total(i))).ToArray();
    }

    private static bool Better(PlacementEvaluation e, int a, int b) =>
        e.Total(a) > e.Total(b) || (e.Total(a) == e.Total(b) && string.CompareOrdinal(e.Host(a), e.Host(b)) < 0);

    private PlacementOutcome Choose(PlacementEvaluation e, Random rng, int seed)
    {
        if (e.FeasibleCount == 0)
        {
            var reasons = e.RejectedCount == 0 ? ["no candidate hosts"] : e.RejectionSummary();
            return new PlacementOutcome.Infeasible(e.Request, e.At, seed, reasons, e.Rejections);
        }
        var (index, probability) = Steering.Choose(e, Options, rng);
        var alternatives = TopK(e, index, Options.Alternatives);
        return new PlacementOutcome.Placed(e.Request, e.At, seed, e.Host(index), e.Total(index), probability,
            e.Explain(index), alternatives, e.FeasibleCount, e.RejectedCount);
    }
}
