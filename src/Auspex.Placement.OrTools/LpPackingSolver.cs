using System.Diagnostics;
using System.Globalization;
using Auspex.Placement.Global;

namespace Auspex.Placement.OrTools;

/// <summary>
/// LP-guided packing for large instances: the packing heuristic's construction seeds the configuration LP
/// (<see cref="ConfigurationLp"/>, column generation with greedy pricing, GLOP); the LP's whole configurations become
/// hosts (replicas of each type chosen so the spread limits hold and peers share a rack), the rest is packed by the
/// heuristic, and its host-emptying local search and ruin-and-recreate run until the time limit.
/// </summary>
internal sealed class LpPackingSolver(double lpShare, double roundUpFrom = 0.5) : IPlacementSolver
{
    public string Name => "lp-packing";

    /// <summary>Called with progress lines (for benchmarks), or null.</summary>
    public Action<string>? Trace { get; init; }

    /// <summary>Column generation's GLOP parameters, or null for <see cref="ConfigurationLp.DefaultGlopParameters"/>.</summary>
    public string? GlopParameters { get; init; }

    /// <summary>Extra diverse columns per pricing round, or null for <see cref="ConfigurationLp"/>'s default.</summary>
    public int? DiverseColumns { get; init; }

    /// <summary>Wentges smoothing α of column generation, or null for <see cref="ConfigurationLp"/>'s default (off).</summary>
    public double? Smoothing { get; init; }

    /// <summary>
    /// Time since a reference point for the time limit: null = wall time. Benchmarks pass process CPU time to see what the
    /// plan reaches with a CPU budget on a shared machine.
    /// </summary>
    public Func<TimeSpan>? Clock { get; init; }

    /// <summary>Whether same-demand replica swaps cut communication after rounding and at the end (default on).</summary>
    public bool CommunicationSwaps { get; init; } = true;

    public GlobalPlacementResult Solve(GlobalPlacementProblem problem, GlobalPlacementOptions options, CancellationToken cancellationToken = default)
    {
        var wall = Stopwatch.StartNew();
        var start = Clock?.Invoke() ?? TimeSpan.Zero;
        TimeSpan Now() => Clock is null ? wall.Elapsed : Clock() - start;
        if (PlanEvaluator.CheckBeforeSolve(Name, problem, options, wall) is { } infeasible)
        {
            return infeasible;
        }
        var limit = options.TimeLimit * 0.97;
        bool More() => Now() < limit && !cancellationToken.IsCancellationRequested;
        var seedState = new PackingState(problem, options);
        var failure = seedState.Construct();
        if (failure is not null)
        {
            return PlanEvaluator.NoPlan(Name, GlobalSolveStatus.Unknown, wall.Elapsed, [failure]);
        }
        var seed = seedState.Assignment();
        var seedHosts = Enumerable.Range(0, seedState.HostCount).Count(seedState.IsOpen);
        var constructed = Now();
        var lp = new ConfigurationLp(problem, options) { Trace = Trace };
        lp.GlopParameters = GlopParameters ?? lp.GlopParameters;
        lp.DiverseColumns = DiverseColumns ?? lp.DiverseColumns;
        lp.Smoothing = Smoothing ?? lp.Smoothing;
        options.Progress?.Invoke(new(Now(), "construct", seedHosts));
        // The LP's share of the time limit, and at least 40 % of what construction left (it can be slow on a busy machine).
        var lpLimit = TimeSpan.FromTicks(Math.Max((long)(limit.Ticks * lpShare) - Now().Ticks, (limit - Now()).Ticks * 2 / 5));
        var outcome = lpLimit > TimeSpan.Zero ? lp.Solve(lpLimit, seed, cancellationToken, exactPricing: false, elapsed: Clock) : null;
        var state = seedState;
        var rounded = 0;
        if (outcome is { Lambda.Length: > 0 })
        {
            var fresh = new PackingState(problem, options);
            rounded = Round(fresh, lp, outcome.Lambda, roundUpFrom);
            var left = fresh.PlaceRemaining();
            if (left is null)
            {
                state = fresh;
            }
        }
        var afterRound = Enumerable.Range(0, state.HostCount).Count(state.IsOpen);
        var roundedAt = Now();
        options.Progress?.Invoke(new(Now(), "lp-rounding", afterRound));
        // Same-demand swaps cut the communication the LP's configurations ignore, at no capacity cost: once now, and
        // once after the local search (which gets the limit minus twice the first pass's time, at most a tenth of it).
        var commBefore = CommunicationSwaps ? Communication(state) : 0;
        var swapClock = Now();
        var swaps = CommunicationSwaps ? state.SwapSameDemand(More) : 0;
        var swapTime = Now() - swapClock;
        var searchLimit = CommunicationSwaps ? limit - TimeSpan.FromTicks(Math.Min(swapTime.Ticks * 2, limit.Ticks / 10)) : limit;
        bool Search() => Now() < searchLimit && !cancellationToken.IsCancellationRequested;
        var closed = state.Improve(Search);
        var recreated = state.RuinAndRecreate(Search, new Random(options.Seed));
        swaps += CommunicationSwaps ? state.SwapSameDemand(More) : 0;
        var commAfter = CommunicationSwaps ? Communication(state) : 0;
        var assignment = state.Assignment();
        options.Progress?.Invoke(new(Now(), "done", Enumerable.Range(0, state.HostCount).Count(state.IsOpen)));
        var metrics = PlanEvaluator.Evaluate(problem, assignment, options);
        // The gap is against the fractional cover, or the configuration LP's Farley bound when pricing proved one
        // (CP-SAT ran on every host type's knapsack in one round) and it is stronger; never against the LP's value.
        var bound = PlacementBounds.Lower(problem, options);
        var lpBound = outcome is { HostBound: > 0 } ? ConfigurationBound.Combine(bound, lp, outcome) : bound;
        var strongerBound = lpBound.Value > bound.Value;
        bound = strongerBound ? lpBound with { Value = Math.Min(lpBound.Value, metrics.Objective) } : bound;
        var gap = metrics.Objective > 0 ? Math.Max(0, (metrics.Objective - bound.Value) / metrics.Objective) : 0;
        var note = outcome is null
            ? "no time left for the configuration LP; packing heuristic only"
            : string.Create(CultureInfo.InvariantCulture,
                $"construction {seedHosts} hosts in {constructed.TotalSeconds:0.#} s; configuration LP {outcome.LpValue:0.###} ({outcome.Note}) in {outcome.Elapsed.TotalSeconds:0.#} s; {rounded} hosts from whole configurations, {afterRound} after packing the rest ({(ReferenceEquals(state, seedState) ? "rounding failed, kept the construction" : "rounded")}) at {roundedAt.TotalSeconds:0.#} s");
        return new(Name, GlobalSolveStatus.Feasible, assignment, metrics, bound.Value, gap, wall.Elapsed,
            [note, string.Create(CultureInfo.InvariantCulture, $"local search closed {closed} host(s); ruin and recreate {recreated} more in {state.Attempts} attempts"),
             .. (CommunicationSwaps ? [string.Create(CultureInfo.InvariantCulture, $"{swaps} same-demand replica swap(s) (first pass {swapTime.TotalSeconds:0.##} s): communication {commBefore:0.#} after rounding, {commAfter:0.#} at the end")] : Array.Empty<string>()),
             bound.Explanation]);
    }

    /// <summary>Weighted communication of the whole plan (each edge once).</summary>
    private static double Communication(PackingState state)
    {
        var sum = 0.0;
        for (var c = 0; c < state.Problem.Components.Count; c++)
        {
            sum += state.Comm(c);
        }
        return sum / 2;
    }

    /// <summary>Opens ⌊λ⌋ hosts per configuration and fills each with replicas of the configuration's types. Returns hosts opened.</summary>
    private static int Round(PackingState state, ConfigurationLp lp, double[] lambda, double roundUpFrom)
    {
        var p = state.Problem;
        var hostTypeOf = new int[state.HostCount];
        Array.Fill(hostTypeOf, -1);
        for (var k = 0; k < lp.HostTypes.Count; k++)
        {
            foreach (var h in lp.HostTypes[k].Hosts)
            {
                hostTypeOf[h] = k;
            }
        }
        var queues = Enumerable.Range(0, lp.HostTypes.Count).Select(k => new Queue<int>(state.OpenOrder.Where(h => hostTypeOf[h] == k))).ToArray();
        var next = new int[p.Components.Count]; // next replica index to place per component
        var opened = 0;
        // Copies of configuration j: ⌊λ⌋, one more when the fractional part is at least roundUpFrom (1 = never).
        int Copies(int j) => (int)Math.Floor(lambda[j] + 1e-6) + (lambda[j] - Math.Floor(lambda[j] + 1e-6) >= roundUpFrom ? 1 : 0);
        var order = Enumerable.Range(0, lambda.Length).Where(j => Copies(j) > 0).OrderByDescending(j => lambda[j]).ToList();
        foreach (var j in order)
        {
            var (k, count) = lp.Columns[j];
            var copies = Copies(j);
            for (var copy = 0; copy < copies && queues[k].Count > 0; copy++)
            {
                var h = queues[k].Dequeue();
                var any = false;
                // Larger types first, so a type that cannot be filled leaves room in the right shape.
                foreach (var t in Enumerable.Range(0, count.Length).Where(t => count[t] > 0).OrderByDescending(t => lp.Types[t].Dem.Max()))
                {
                    for (var n = 0; n < count[t]; n++)
                    {
                        var best = -1;
                        var bestKey = (int.MaxValue, int.MaxValue);
                        foreach (var c in lp.Types[t].Comps)
                        {
                            if (next[c] >= p.Components[c].Replicas || !state.SpreadOk(c, h, -1) || !state.Fits(c, h))
                            {
                                continue;
                            }
                            var peer = state.Neighbours(c).Any(x => state.InRack(x.Peer, state.Rack(h))) ? 0 : 1;
                            var key = (peer, next[c] > 0 ? 0 : 1);
                            if (key.CompareTo(bestKey) < 0)
                            {
                                best = c;
                                bestKey = key;
                                if (key == (0, 0))
                                {
                                    break;
                                }
                            }
                        }
                        if (best < 0)
                        {
                            break;
                        }
                        state.Place(best, next[best]++, h);
                        any = true;
                    }
                }
                opened += any ? 1 : 0;
            }
        }
        return opened;
    }
}
