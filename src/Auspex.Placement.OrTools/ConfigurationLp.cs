using System.Diagnostics;
using System.Globalization;
using Auspex.Placement.Global;
using Google.OrTools.Sat;
using Lp = Google.OrTools.LinearSolver;

namespace Auspex.Placement.OrTools;

/// <summary>
/// The configuration LP of the global problem's host part, solved by column generation: replicas with the same demand
/// (every slot, every resource) form one type; a configuration is a multiset of types that fits one host of one host
/// type (price, idle power and capacity alike) in every slot and resource, with at most one replica per component; the
/// master LP (GLOP) covers every type's replicas with configurations at least cost; pricing is a small
/// multi-dimensional knapsack per host type (greedy first, CP-SAT when the greedy finds nothing). Spread limits,
/// communication, moves and host counts are relaxed, so the bound is valid for the whole problem.
/// </summary>
internal sealed class ConfigurationLp
{
    /// <summary>Time since the start: wall time by default, or any other measure (e.g. process CPU time in benchmarks).</summary>
    private sealed class Clock(Func<TimeSpan>? elapsed)
    {
        private readonly Stopwatch _wall = Stopwatch.StartNew();
        private readonly TimeSpan _start = elapsed?.Invoke() ?? TimeSpan.Zero;

        public TimeSpan Elapsed => elapsed is null ? _wall.Elapsed : elapsed() - _start;
    }

    private readonly GlobalPlacementProblem _p;
    private readonly GlobalPlacementOptions _o;
    private readonly int _ns, _nr, _dim;

    /// <summary>Replica types: demand per (slot, resource), replicas to cover, components of the type.</summary>
    public readonly List<(double[] Dem, int Count, List<int> Comps)> Types = [];

    /// <summary>Host types: capacity per resource, cost per hour (price + idle energy), hosts of the type.</summary>
    public readonly List<(double[] Cap, double Cost, List<int> Hosts)> HostTypes = [];

    /// <summary>Columns: host type and the count of each replica type.</summary>
    public readonly List<(int HostType, int[] Count)> Columns = [];

    public ConfigurationLp(GlobalPlacementProblem p, GlobalPlacementOptions o)
    {
        _p = p;
        _o = o;
        _ns = p.SlotCount;
        _nr = p.Resources.Count;
        _dim = _ns * _nr;
        var byDemand = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var c = 0; c < p.Components.Count; c++)
        {
            var comp = p.Components[c];
            if (comp.Replicas == 0)
            {
                continue;
            }
            var dem = new double[_dim];
            for (var s = 0; s < _ns; s++)
            {
                for (var r = 0; r < _nr; r++)
                {
                    dem[s * _nr + r] = comp.Demand[s][r];
                }
            }
            var key = string.Join(',', dem.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
            if (!byDemand.TryGetValue(key, out var t))
            {
                byDemand[key] = t = Types.Count;
                Types.Add((dem, 0, []));
            }
            Types[t] = (Types[t].Dem, Types[t].Count + comp.Replicas, Types[t].Comps);
            Types[t].Comps.Add(c);
        }
        var byHost = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var h = 0; h < p.Hosts.Count; h++)
        {
            var host = p.Hosts[h];
            if (!host.Available.All(a => a))
            {
                continue;
            }
            var cost = o.CostWeight * host.PricePerHour + o.EnergyWeight * host.IdleWatts;
            var key = string.Join(',', host.Capacity.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "|" + cost.ToString("R", CultureInfo.InvariantCulture);
            if (!byHost.TryGetValue(key, out var k))
            {
                byHost[key] = k = HostTypes.Count;
                HostTypes.Add((host.Capacity.ToArray(), cost, []));
            }
            HostTypes[k].Hosts.Add(h);
        }
    }

    /// <summary>The outcome: a valid lower bound on the host cost, the LP's value, the LP solution, and the work done.</summary>
    public sealed record Outcome(double HostBound, double LpValue, double[] Lambda, int Iterations, int ExactPricings, bool Converged, TimeSpan Elapsed, string Note);

    /// <summary>
    /// Lagrangian bounds, valid for any duals <paramref name="pi"/> ≥ 0 given upper bounds <paramref name="upper"/> on each
    /// host type's pricing value: θ = 1, and θ scaling every host type's pricing to its cost (Farley); the larger.
    /// </summary>
    private double Lagrangian(double[] pi, double[] upper)
    {
        var cover = 0.0;
        for (var t = 0; t < Types.Count; t++)
        {
            cover += pi[t] * Types[t].Count;
        }
        var nk = HostTypes.Count;
        var theta = Enumerable.Range(0, nk).Min(k => upper[k] > 0 ? HostTypes[k].Cost / upper[k] : double.PositiveInfinity);
        var best = 0.0;
        foreach (var th in new[] { 1.0, theta })
        {
            if (!double.IsFinite(th))
            {
                continue;
            }
            var b = th * cover;
            for (var k = 0; k < nk; k++)
            {
                b += HostTypes[k].Hosts.Count * Math.Min(0, HostTypes[k].Cost - th * upper[k]);
            }
            best = Math.Max(best, b);
        }
        return best;
    }

    /// <summary>Seconds of the final CP-SAT pricing that tightens the bound after column generation (0 = none).</summary>
    public double ProveSeconds { get; set; }

    /// <summary>Called after every LP solve with a line of progress (for benchmarks), or null.</summary>
    public Action<string>? Trace { get; set; }

    /// <summary>
    /// GLOP without presolve and scaling: both change with every new column, so GLOP would solve each master from scratch;
    /// without them it keeps its basis and only prices the new columns in (about 3× more master solves per second on
    /// the 1,000-host bench fleet, bench/RESULTS.md "session 8").
    /// </summary>
    public const string DefaultGlopParameters = "use_preprocessing:false use_scaling:false";

    /// <summary>GLOP's own parameters (text format of GlopParameters), e.g. to turn presolve off so it warm-starts; empty = defaults.</summary>
    public string GlopParameters { get; set; } = DefaultGlopParameters;

    /// <summary>Wentges dual smoothing α in [0, 1): price at α·centre + (1 − α)·master duals (0 = off).</summary>
    public double Smoothing { get; set; }

    /// <summary>Extra columns per host type and round from damped duals, so one round adds columns over different types (0 = none).</summary>
    public int DiverseColumns { get; set; } = 100;

    /// <summary>Seconds spent in GLOP.</summary>
    public double LpSeconds { get; private set; }

    /// <summary>Seconds spent in CP-SAT pricing.</summary>
    public double ExactSeconds { get; private set; }

    /// <summary>At most one replica of a component per host: a type holds at most as many per host as it has components.</summary>
    private int Limit(int t) => Types[t].Comps.Count;

    private bool Fits(int t, int k)
    {
        var cap = HostTypes[k].Cap;
        for (var i = 0; i < _dim; i++)
        {
            if (Types[t].Dem[i] > cap[i % _nr] * (1 + 1e-9))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Runs column generation until the LP is proven optimal (no column prices out, by CP-SAT) or
    /// <paramref name="limit"/> passes, and returns the best valid bound found on the way (Farley/Lagrangian bounds from
    /// every iteration's duals and an upper bound on the pricing value).
    /// </summary>
    public Outcome Solve(TimeSpan limit, IReadOnlyDictionary<string, IReadOnlyList<string>>? seed = null, CancellationToken cancellationToken = default, bool exactPricing = true, Func<TimeSpan>? elapsed = null)
    {
        var clock = new Clock(elapsed);
        int nt = Types.Count, nk = HostTypes.Count;
        if (nt == 0 || nk == 0)
        {
            return new(0, 0, [], 0, 0, true, clock.Elapsed, "nothing to place or no usable host");
        }
        for (var t = 0; t < nt; t++)
        {
            if (!Enumerable.Range(0, nk).Any(k => Fits(t, k)))
            {
                return new(0, 0, [], 0, 0, false, clock.Elapsed, $"a replica of {_p.Components[Types[t].Comps[0]].Id} fits no usable host");
            }
        }
        using var lp = Lp.Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("OR-Tools GLOP is not available");
        var rows = new Lp.Constraint[nt];
        for (var t = 0; t < nt; t++)
        {
            rows[t] = lp.MakeConstraint(Types[t].Count, double.PositiveInfinity, "cover" + t);
        }
        // At most the hosts that exist of each host type (the Lagrangian bound below counts this limit too).
        var hostRows = new Lp.Constraint[nk];
        for (var k = 0; k < nk; k++)
        {
            hostRows[k] = lp.MakeConstraint(double.NegativeInfinity, HostTypes[k].Hosts.Count, "hosts" + k);
        }
        var objective = lp.Objective();
        objective.SetMinimization();
        // Artificial cover per replica at a price no real column reaches, so the master stays feasible while the host
        // limits bind and the start columns cannot cover everything; they are not configurations (never rounded).
        var artificialCost = 4 * HostTypes.Max(h => h.Cost);
        for (var t = 0; t < nt; t++)
        {
            var a = lp.MakeNumVar(0, double.PositiveInfinity, "artificial" + t);
            objective.SetCoefficient(a, artificialCost);
            rows[t].SetCoefficient(a, 1);
        }
        var vars = new List<Lp.Variable>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        void AddColumn(int k, int[] count)
        {
            var v = lp.MakeNumVar(0, double.PositiveInfinity, "x" + vars.Count);
            objective.SetCoefficient(v, HostTypes[k].Cost);
            for (var t = 0; t < nt; t++)
            {
                if (count[t] > 0)
                {
                    rows[t].SetCoefficient(v, count[t]);
                }
            }
            hostRows[k].SetCoefficient(v, 1);
            vars.Add(v);
            Columns.Add((k, count));
        }
        void Add(int k, int[] count)
        {
            keys.Add(k + ":" + string.Join(',', count));
            AddColumn(k, count);
        }
        // Start: each type alone, as many as fit on the cheapest host type per unit (a feasible, poor master).
        for (var t = 0; t < nt; t++)
        {
            for (var k = 0; k < nk; k++)
            {
                if (!Fits(t, k))
                {
                    continue;
                }
                var n = Limit(t);
                for (var i = 0; i < _dim; i++)
                {
                    if (Types[t].Dem[i] > 0)
                    {
                        n = Math.Min(n, (int)Math.Floor(HostTypes[k].Cap[i % _nr] * (1 + 1e-9) / Types[t].Dem[i]));
                    }
                }
                var count = new int[nt];
                count[t] = Math.Max(1, n);
                Add(k, count);
            }
        }
        // Seeds: the hosts of a known plan (e.g. the packing heuristic's) as configurations, so the LP starts at its value.
        if (seed is not null)
        {
            var typeOf = new int[_p.Components.Count];
            Array.Fill(typeOf, -1);
            for (var t = 0; t < nt; t++)
            {
                foreach (var c in Types[t].Comps)
                {
                    typeOf[c] = t;
                }
            }
            var hostIndex = PlanEvaluator.HostIndex(_p);
            var hostType = new int[_p.Hosts.Count];
            Array.Fill(hostType, -1);
            for (var k = 0; k < nk; k++)
            {
                foreach (var h in HostTypes[k].Hosts)
                {
                    hostType[h] = k;
                }
            }
            var perHost = new Dictionary<int, int[]>();
            for (var c = 0; c < _p.Components.Count; c++)
            {
                if (typeOf[c] < 0 || !seed.TryGetValue(_p.Components[c].Id, out var hosts))
                {
                    continue;
                }
                foreach (var id in hosts)
                {
                    if (hostIndex.TryGetValue(id, out var h) && hostType[h] >= 0)
                    {
                        if (!perHost.TryGetValue(h, out var count))
                        {
                            perHost[h] = count = new int[nt];
                        }
                        count[typeOf[c]]++;
                    }
                }
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (h, count) in perHost)
            {
                if (seen.Add(hostType[h] + ":" + string.Join(',', count)) && FitsColumn(hostType[h], count))
                {
                    Add(hostType[h], count);
                }
            }
        }
        if (!string.IsNullOrEmpty(GlopParameters) && !lp.SetSolverSpecificParametersAsString(GlopParameters))
        {
            throw new InvalidOperationException("GLOP rejected the parameters '" + GlopParameters + "'");
        }
        var best = 0.0;
        var lpValue = double.NaN;
        var iterations = 0;
        var exact = 0;
        var converged = false;
        var pi = new double[nt];
        var mu = new double[nk];
        var sep = new double[nt];
        double[]? center = null;
        var centerValue = double.NegativeInfinity;
        var rng = new Random(_o.Seed);
        while (!cancellationToken.IsCancellationRequested)
        {
            iterations++;
            var lpClock = Stopwatch.StartNew();
            var status = lp.Solve();
            LpSeconds += lpClock.Elapsed.TotalSeconds;
            if (status != Lp.Solver.ResultStatus.OPTIMAL)
            {
                return new(best, lpValue, [], iterations, exact, false, clock.Elapsed, "GLOP stopped with " + status);
            }
            lpValue = objective.Value();
            for (var t = 0; t < nt; t++)
            {
                pi[t] = Math.Max(0, rows[t].DualValue());
            }
            for (var k = 0; k < nk; k++)
            {
                mu[k] = Math.Min(0, hostRows[k].DualValue()); // ≤ 0: a host type used up costs more
            }
            var added = 0;
            var outOfTime = clock.Elapsed >= limit;
            var upper = new double[nk];
            // Wentges smoothing: price at a point between the stability centre (the duals with the best estimated
            // Lagrangian value so far) and the master's duals; fall back to the master's duals when that finds nothing.
            var alpha = center is null ? 0 : Smoothing;
            for (var attempt = 0; attempt < 2 && added == 0; attempt++)
            {
                var a = attempt == 0 ? alpha : 0;
                if (attempt == 1 && alpha == 0)
                {
                    break;
                }
                for (var t = 0; t < nt; t++)
                {
                    sep[t] = a * (center?[t] ?? 0) + (1 - a) * pi[t];
                }
                var estimate = new double[nk];
                for (var k = 0; k < nk; k++)
                {
                    // Several greedy orders; every column with reduced cost < 0 at the master's duals joins the master.
                    var found = false;
                    foreach (var (value, count) in GreedyColumns(k, sep, rng, outOfTime))
                    {
                        estimate[k] = Math.Max(estimate[k], value);
                        if (Reduced(k, count, pi) - mu[k] < -HostTypes[k].Cost * 1e-7 && keys.Add(k + ":" + string.Join(',', count)))
                        {
                            AddColumn(k, count);
                            added++;
                            found = true;
                        }
                    }
                    if (found || a > 0 || (!exactPricing && outOfTime))
                    {
                        upper[k] = double.NaN;
                        continue;
                    }
                    // No greedy column: CP-SAT gives the best column and an upper bound on the pricing value.
                    exact++;
                    var pricingClock = Stopwatch.StartNew();
                    var left = limit - clock.Elapsed;
                    var (ub, column, columnValue) = Exact(k, pi, !exactPricing ? TimeSpan.FromSeconds(Math.Clamp(left.TotalSeconds, 0.05, 0.5))
                        : outOfTime ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(Math.Clamp(left.TotalSeconds, 0.2, 5)));
                    upper[k] = ub;
                    ExactSeconds += pricingClock.Elapsed.TotalSeconds;
                    if (column is not null && columnValue > HostTypes[k].Cost - mu[k] + HostTypes[k].Cost * 1e-7 && !outOfTime && keys.Add(k + ":" + string.Join(',', column)))
                    {
                        AddColumn(k, column);
                        added++;
                    }
                }
                // The estimated Lagrangian value of the pricing point (greedy values stand in for the pricing optimum).
                var est = Lagrangian(sep, estimate);
                if (Smoothing > 0 && (center is null || est > centerValue || (a > 0 && added == 0)))
                {
                    center = (double[])sep.Clone();
                    centerValue = est;
                }
            }
            if (upper.All(double.IsFinite))
            {
                best = Math.Max(best, Lagrangian(pi, upper));
                if (added == 0)
                {
                    converged = true;
                }
            }
            Trace?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:0.00} s: LP {lpValue:0.###}, bound {best:0.###}, {Columns.Count} columns, +{added}, GLOP {LpSeconds:0.00} s"));
            if (added == 0 || outOfTime)
            {
                break;
            }
        }
        // Column generation found no more columns (or ran out of time): one longer CP-SAT pricing per host type on the
        // last duals tightens the upper bound on the pricing value, hence the Lagrangian bound.
        if (exactPricing && ProveSeconds > 0 && !cancellationToken.IsCancellationRequested && double.IsFinite(lpValue))
        {
            var upper = new double[nk];
            var proveClock = Stopwatch.StartNew();
            for (var k = 0; k < nk; k++)
            {
                upper[k] = Exact(k, pi, TimeSpan.FromSeconds(ProveSeconds / nk)).Upper;
            }
            ExactSeconds += proveClock.Elapsed.TotalSeconds;
            exact += nk;
            if (upper.All(double.IsFinite))
            {
                best = Math.Max(best, Lagrangian(pi, upper));
            }
        }
        var lambda = vars.Select(v => v.SolutionValue()).ToArray();
        return new(best, lpValue, lambda, iterations, exact, converged, clock.Elapsed,
            string.Create(CultureInfo.InvariantCulture, $"{nt} replica types, {nk} host types, {Columns.Count} configurations, {iterations} LP solves in {LpSeconds:0.#} s, {exact} exact pricings in {ExactSeconds:0.#} s"));
    }

    /// <summary>The reduced cost of a column at duals <paramref name="pi"/>: its host type's cost minus the duals it covers.</summary>
    private double Reduced(int k, int[] count, double[] pi)
    {
        var value = 0.0;
        for (var t = 0; t < count.Length; t++)
        {
            value += count[t] * pi[t];
        }
        return HostTypes[k].Cost - value;
    }

    /// <summary>
    /// Candidate columns for host type <paramref name="k"/> at duals <paramref name="pi"/>: the greedy orders, then
    /// <see cref="DiverseColumns"/> more, each from duals where the types of the columns already taken are damped, so
    /// the round's columns cover different types. Values are at <paramref name="pi"/>.
    /// </summary>
    private IEnumerable<(double Value, int[] Count)> GreedyColumns(int k, double[] pi, Random rng, bool outOfTime)
    {
        if (outOfTime)
        {
            yield break;
        }
        for (var g = 0; g < 16; g++)
        {
            var (value, count) = Greedy(k, pi, g, rng);
            if (count is not null)
            {
                yield return (value, count);
            }
        }
        if (DiverseColumns <= 0)
        {
            yield break;
        }
        var w = (double[])pi.Clone();
        for (var d = 0; d < DiverseColumns; d++)
        {
            var (_, count) = Greedy(k, w, 4 + d % 4, rng);
            if (count is null)
            {
                yield break;
            }
            var value = 0.0;
            for (var t = 0; t < count.Length; t++)
            {
                if (count[t] > 0)
                {
                    value += count[t] * pi[t];
                    w[t] *= 0.5;
                }
            }
            yield return (value, count);
        }
    }

    private bool FitsColumn(int k, int[] count)
    {
        var cap = HostTypes[k].Cap;
        for (var i = 0; i < _dim; i++)
        {
            var load = 0.0;
            for (var t = 0; t < count.Length; t++)
            {
                load += count[t] * Types[t].Dem[i];
            }
            if (load > cap[i % _nr] * (1 + 1e-9))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// An adaptive greedy knapsack: repeatedly the type with the most dual value per weighted demand, each (slot,
    /// resource) weighted by how full the host already is there, so types whose peaks fall in the host's valleys win.
    /// </summary>
    private (double Value, int[]? Count) Adaptive(int k, double[] pi, double sharpness, Random rng, double noise)
    {
        int nt = Types.Count;
        var cap = HostTypes[k].Cap;
        var load = new double[_dim];
        var w = new double[_dim];
        var count = new int[nt];
        var value = 0.0;
        var alive = Enumerable.Range(0, nt).Where(t => pi[t] > 1e-12 && Fits(t, k)).ToList();
        var jitter = alive.ToDictionary(t => t, _ => 1 + noise * (rng.NextDouble() - 0.5));
        while (alive.Count > 0)
        {
            for (var i = 0; i < _dim; i++)
            {
                var u = load[i] / Math.Max(1e-12, cap[i % _nr]);
                w[i] = Math.Exp(sharpness * u) / Math.Max(1e-12, cap[i % _nr]);
            }
            var best = -1;
            var bestKey = 0.0;
            for (var a = alive.Count - 1; a >= 0; a--)
            {
                var t = alive[a];
                var dem = Types[t].Dem;
                var ok = count[t] < Limit(t);
                var weighted = 0.0;
                for (var i = 0; i < _dim && ok; i++)
                {
                    ok = load[i] + dem[i] <= cap[i % _nr] * (1 + 1e-9);
                    weighted += w[i] * dem[i];
                }
                if (!ok)
                {
                    alive.RemoveAt(a);
                    continue;
                }
                var key = pi[t] * jitter[t] / Math.Max(1e-12, weighted);
                if (key > bestKey)
                {
                    best = t;
                    bestKey = key;
                }
            }
            if (best < 0)
            {
                break;
            }
            count[best]++;
            value += pi[best];
            for (var i = 0; i < _dim; i++)
            {
                load[i] += Types[best].Dem[i];
            }
        }
        return value > 0 ? (value, count) : (0, null);
    }

    /// <summary>A greedy knapsack: types by dual value per share of the host (order g varies the share's measure).</summary>
    private (double Value, int[]? Count) Greedy(int k, double[] pi, int g, Random rng)
    {
        if (g >= 4)
        {
            return Adaptive(k, pi, g % 4 == 0 ? 2 : g % 4 == 1 ? 5 : 10, rng, g < 8 ? 0 : 0.2);
        }
        int nt = Types.Count;
        var cap = HostTypes[k].Cap;
        var key = new double[nt];
        var order = new List<int>();
        for (var t = 0; t < nt; t++)
        {
            if (pi[t] <= 1e-12 || !Fits(t, k))
            {
                continue;
            }
            double max = 0, sum = 0;
            for (var i = 0; i < _dim; i++)
            {
                var share = Types[t].Dem[i] / Math.Max(1e-12, cap[i % _nr]);
                max = Math.Max(max, share);
                sum += share;
            }
            var size = g switch
            {
                0 => max,
                1 => sum / _dim,
                2 => 0.5 * max + 0.5 * sum / _dim,
                _ => max * (0.8 + 0.4 * rng.NextDouble()),
            };
            key[t] = pi[t] / Math.Max(1e-12, size);
            order.Add(t);
        }
        order.Sort((a, b) => key[b].CompareTo(key[a]));
        var load = new double[_dim];
        var count = new int[nt];
        var value = 0.0;
        foreach (var t in order)
        {
            var dem = Types[t].Dem;
            while (count[t] < Limit(t))
            {
                var ok = true;
                for (var i = 0; i < _dim && ok; i++)
                {
                    ok = load[i] + dem[i] <= cap[i % _nr] * (1 + 1e-9);
                }
                if (!ok)
                {
                    break;
                }
                for (var i = 0; i < _dim; i++)
                {
                    load[i] += dem[i];
                }
                count[t]++;
                value += pi[t];
            }
        }
        return value > 0 ? (value, count) : (0, null);
    }

    /// <summary>
    /// CP-SAT on the pricing knapsack of host type <paramref name="k"/>. The model is a relaxation (demands rounded
    /// down, capacities up, duals up), so its proved bound is an upper bound on the true pricing value; the column it
    /// returns is checked in doubles and dropped when it does not really fit.
    /// </summary>
    private (double Upper, int[]? Column, double Value) Exact(int k, double[] pi, TimeSpan limit)
    {
        int nt = Types.Count;
        var cap = HostTypes[k].Cap;
        const double Units = 100_000;
        const double ValueUnits = 1_000_000;
        var piMax = pi.Max();
        if (piMax <= 0)
        {
            return (0, null, 0);
        }
        var model = new CpModel();
        var n = new IntVar?[nt];
        var obj = LinearExpr.NewBuilder();
        for (var t = 0; t < nt; t++)
        {
            if (pi[t] <= 0 || !Fits(t, k))
            {
                continue;
            }
            n[t] = model.NewIntVar(0, Limit(t), "n" + t);
            obj.AddTerm(n[t]!, (long)Math.Ceiling(pi[t] / piMax * ValueUnits));
        }
        for (var i = 0; i < _dim; i++)
        {
            var c = cap[i % _nr];
            if (c <= 0)
            {
                continue;
            }
            var row = LinearExpr.NewBuilder();
            var any = false;
            for (var t = 0; t < nt; t++)
            {
                if (n[t] is { } v)
                {
                    var d = (long)Math.Floor(Types[t].Dem[i] / c * Units);
                    if (d > 0)
                    {
                        row.AddTerm(v, d);
                        any = true;
                    }
                }
            }
            if (any)
            {
                model.Add(row <= (long)Units);
            }
        }
        model.Maximize(obj);
        // Hint: the first greedy order.
        var (_, hint) = Greedy(k, pi, 0, new Random(1));
        if (hint is not null)
        {
            for (var t = 0; t < nt; t++)
            {
                if (n[t] is { } v)
                {
                    model.AddHint(v, hint[t]);
                }
            }
        }
        using var solver = new CpSolver
        {
            StringParameters = string.Create(CultureInfo.InvariantCulture, $"max_time_in_seconds:{limit.TotalSeconds:0.###} num_workers:{Math.Max(1, _o.Workers)} random_seed:{_o.Seed}"),
        };
        var status = solver.Solve(model);
        // Each objective coefficient was rounded up by < 1 unit per item; the bound stays an upper bound.
        var upper = status is CpSolverStatus.Optimal or CpSolverStatus.Feasible or CpSolverStatus.Unknown
            ? solver.BestObjectiveBound / ValueUnits * piMax
            : double.PositiveInfinity;
        if (status == CpSolverStatus.Infeasible)
        {
            upper = 0;
        }
        if (status is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible))
        {
            return (upper, null, 0);
        }
        var column = new int[nt];
        var load = new double[_dim];
        var value = 0.0;
        for (var t = 0; t < nt; t++)
        {
            if (n[t] is { } v)
            {
                column[t] = (int)solver.Value(v);
                value += column[t] * pi[t];
                for (var i = 0; i < _dim; i++)
                {
                    load[i] += column[t] * Types[t].Dem[i];
                }
            }
        }
        for (var i = 0; i < _dim; i++)
        {
            if (load[i] > cap[i % _nr] * (1 + 1e-9))
            {
                return (upper, null, 0); // the rounded model let it through; the bound still holds
            }
        }
        return (upper, column, value);
    }
}
