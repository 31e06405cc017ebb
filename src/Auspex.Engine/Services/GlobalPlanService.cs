using System.Globalization;
using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Engine.Configuration;
using Auspex.Engine.Loop;
using Auspex.Engine.Scaling;
using Auspex.Orchestration.Execution;
using Auspex.Orchestration.Plans;
using Auspex.Placement.Global;
using Auspex.Storage;

namespace Auspex.Engine.Services;

/// <summary>A request for a global plan (the body of <c>POST /api/v1/placements/global</c>, and <c>auspex plan --global</c>).</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record GlobalPlanAsk
{
    /// <summary>Largest number of hosts one may name in <see cref="Drain"/>.</summary>
    public const int MaxDrain = 1000;

    /// <summary>Solver wall-time limit in seconds, (0, 60]. Default 10.</summary>
    public double TimeLimitSeconds { get; init; } = 10;

    /// <summary>packing (default: bundles + local search, reports its gap to the lower bound), greedy, or a solver the host added (cpsat when the host registered Auspex.Placement.OrTools).</summary>
    public string Solver { get; init; } = "packing";

    /// <summary>Hosts to empty (every replica on them moves; nothing new lands there). Unknown ids are an error.</summary>
    public IReadOnlyList<string>? Drain { get; init; }

    /// <summary>Time slots of the scenario, 1–168. Default 24.</summary>
    public int Slots { get; init; } = 24;

    /// <summary>Length of one slot in hours, (0, 24]. Default 1.</summary>
    public double SlotHours { get; init; } = 1;

    /// <summary>Forecast quantile each replica's per-slot CPU demand is taken at (capacity must hold it), (0, 1). Default 0.95.</summary>
    public double Quantile { get; init; } = 0.95;

    /// <summary>Soak of each phase's health gate in seconds, [0, 3600]. Default 60.</summary>
    public double SoakSeconds { get; init; } = 60;

    /// <summary>Moves per phase after the one-move canary phase, 1–1000. Default 10.</summary>
    public int MovesPerPhase { get; init; } = 10;

    /// <summary>Solver seed. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>False (default): only answer. True: also submit the executable plan to the plan runner (operator key over HTTP).</summary>
    public bool Submit { get; init; }
}

/// <summary>One change of a global plan.</summary>
/// <param name="Kind">move (a replica from one host to another), add (a new replica) or remove.</param>
/// <param name="Component">Component id.</param>
/// <param name="From">Host it leaves, null for add.</param>
/// <param name="To">Host it goes to, null for remove.</param>
/// <param name="Phase">Phase of the executable plan it runs in, from 1 (1 = the canary).</param>
public sealed record GlobalPlanChange(string Kind, string Component, string? From, string? To, int Phase = 0);

/// <summary>The measures of one placement (now or planned), as <see cref="PlanEvaluator"/> computes them.</summary>
/// <param name="HostsUsed">Hosts carrying at least one replica.</param>
/// <param name="Objective">Weighted objective (price-per-hour units).</param>
/// <param name="CostPerHour">Price of the used hosts per hour.</param>
/// <param name="Communication">Calls/s × distance level over the dependency edges.</param>
/// <param name="OverloadedHostSlots">(host, slot) pairs whose demand at the quantile exceeds capacity.</param>
/// <param name="SpreadViolations">Components breaking their zone or rack limit.</param>
public sealed record GlobalPlanSide(int HostsUsed, double Objective, double CostPerHour, double Communication, int OverloadedHostSlots, int SpreadViolations)
{
    internal static GlobalPlanSide From(PlanMetrics m) => new(m.HostsUsed, Math.Round(m.Objective, 4), Math.Round(m.CostPerHour, 4),
        Math.Round(m.CommunicationCost, 3), m.OverloadedHostSlots, m.SpreadViolations);
}

/// <summary>One progress report of the solve.</summary>
/// <param name="ElapsedSeconds">Seconds since the solve started.</param>
/// <param name="Stage">construct, local-search or done.</param>
/// <param name="HostsUsed">Hosts of the best plan so far.</param>
public sealed record GlobalPlanProgress(double ElapsedSeconds, string Stage, int HostsUsed);

/// <summary>A global plan: the diff against the current placement, both sides' measures, the bound and gap, and the executable plan.</summary>
/// <param name="Id">Plan id (also the executable plan's id and in the audit log).</param>
/// <param name="At">Scenario start (loop clock).</param>
/// <param name="Solver">Solver used.</param>
/// <param name="Status">feasible, infeasible or unknown (no plan within the time limit).</param>
/// <param name="Changes">True when the plan changes anything.</param>
/// <param name="Current">The current placement's measures.</param>
/// <param name="Planned">The plan's measures, null without a plan.</param>
/// <param name="LowerBound">A valid lower bound on the objective of every plan without overload (<see cref="PlacementBounds.Lower"/>).</param>
/// <param name="Gap">(planned objective − bound) / planned objective; an upper limit on the distance to the optimum. Null without a plan.</param>
/// <param name="Bound">What the bound counts.</param>
/// <param name="ElapsedSeconds">Time the solve took.</param>
/// <param name="TimeLimitSeconds">The limit it had.</param>
/// <param name="Diff">Moves, adds and removes.</param>
/// <param name="FreedHosts">Hosts used now and empty in the plan.</param>
/// <param name="Progress">The solve's progress reports.</param>
/// <param name="Notes">The solver's remarks, or why there is no plan.</param>
/// <param name="Plan">The executable plan (docs/orchestration.md format), null when nothing changes or there is no plan.</param>
/// <param name="Submitted">True when the plan was submitted to the plan runner.</param>
public sealed record GlobalPlanView(string Id, DateTimeOffset At, string Solver, string Status, bool Changes, GlobalPlanSide Current, GlobalPlanSide? Planned,
    double LowerBound, double? Gap, string Bound, double ElapsedSeconds, double TimeLimitSeconds, IReadOnlyList<GlobalPlanChange> Diff,
    IReadOnlyList<string> FreedHosts, IReadOnlyList<GlobalPlanProgress> Progress, IReadOnlyList<string> Notes, ExecutionPlan? Plan, bool Submitted)
{
    /// <summary>Where each component's per-slot demand came from (its forecast at the quantile, or its requests and why).</summary>
    public IReadOnlyList<GlobalPlanDemand> Demand { get; init; } = [];

    /// <summary>Why the gap overstates the distance to the optimum (the bound is weak here), or null when the bound is tight in kind (identical hosts, whole-host count).</summary>
    public string? BoundNote { get; init; }
}

/// <summary>Where one component's demand in a global plan came from.</summary>
/// <param name="Component">Component id.</param>
/// <param name="Source">forecast (CPU per slot from the loop's forecast at the quantile, never below the request) or requests.</param>
/// <param name="Series">The forecast series used (as the scaling stage sizes on it), empty for requests.</param>
/// <param name="RequestCpu">CPU request of one replica (cores).</param>
/// <param name="PeakCpuPerReplica">Highest per-replica CPU over the horizon's slots (cores; = the request for requests).</param>
/// <param name="SlotsAboveRequest">Slots whose forecast demand exceeds the request.</param>
/// <param name="Reason">Why requests were used (no forecast, and what the scaling stage said), or what the forecast was divided over; memory is always the request.</param>
public sealed record GlobalPlanDemand(string Component, string Source, string Series, double RequestCpu, double PeakCpuPerReplica, int SlotsAboveRequest, string Reason);

/// <summary>The outcome of asking for a global plan.</summary>
public abstract record GlobalPlanAnswer
{
    private GlobalPlanAnswer()
    {
    }

    /// <summary>Planned (with or without a feasible plan: see <see cref="GlobalPlanView.Status"/>).</summary>
    /// <param name="View">The plan.</param>
    public sealed record Planned(GlobalPlanView View) : GlobalPlanAnswer;

    /// <summary>The ask itself is wrong.</summary>
    /// <param name="Error">What and where.</param>
    public sealed record Invalid(string Error) : GlobalPlanAnswer;
}

/// <summary>
/// Seed 001 on the running fleet: the global problem from the loop's latest topology (each replica's demand = its
/// component's requests in every slot; hosts in maintenance unavailable in the slots it overlaps; hosts to drain
/// unavailable throughout), solved within a time limit, measured against the current placement and
/// <see cref="PlacementBounds.Lower"/>, and turned into an executable plan: a one-move canary phase, then phases of
/// <see cref="GlobalPlanAsk.MovesPerPhase"/> moves, each starting the new replicas, gating, then removing the old ones.
/// </summary>
/// <remarks>
/// Demand: each component's CPU per slot comes from the loop's latest forecasts exactly as the scaling stage resolves
/// them (<see cref="ComponentDemand.Resolve"/>: <c>orchestration.scaling.demand.&lt;id&gt;</c>, else
/// <c>auspex_component_cpu_used_cores</c>, else its hosts' CPU shares), in cores (demand ÷ what one replica serves ×
/// <c>requests.cpu × target_utilisation</c>), divided over its replicas, at <see cref="GlobalPlanAsk.Quantile"/> per
/// slot and never below the request; without a forecast (or past its horizon) the request, with the reason in
/// <see cref="GlobalPlanView.Demand"/>.
/// <para>Solvers: <see cref="PlacementSolverCatalog.Default"/> (packing, greedy) unless the host passes a catalog with
/// more (the Server and CLI add CP-SAT with Auspex.Placement.OrTools' <c>AddOrToolsSolver()</c>).</para>
/// </remarks>
public sealed class GlobalPlanService(IStateStore state, TopologyHolder topology, ControlLoop loop, ScalingStageSettings? scaling = null, PlacementSolverCatalog? solvers = null)
{
    private readonly PlacementSolverCatalog _solvers = solvers ?? PlacementSolverCatalog.Default();

    /// <summary>The solvers this service offers by name.</summary>
    public PlacementSolverCatalog Solvers => _solvers;

    /// <summary>
    /// Each component's per-replica CPU demand forecast for the global problem, from the tick's forecasts resolved as
    /// the scaling stage does, with where it came from. Components without one keep their requests (reason given).
    /// </summary>
    public static (IReadOnlyList<ComponentDemandForecast> Forecasts, IReadOnlyList<GlobalPlanDemand> Sources) DemandFrom(
        Topology t, LoopResults? latest, ScalingStageSettings settings, GlobalPlacementOptions options, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        var inv = CultureInfo.InvariantCulture;
        var resolved = latest is null ? null : ComponentDemand.Resolve(t, latest.Forecasts, latest.ComponentForecasts, settings);
        var forecasts = new List<ComponentDemandForecast>();
        var sources = new List<GlobalPlanDemand>();
        var slots = Enumerable.Range(0, options.Slots).Select(i => new TimeRange(start + options.SlotLength * i, start + options.SlotLength * (i + 1))).ToArray();
        foreach (var c in t.Components)
        {
            var req = c.Requests[ResourceKind.Cpu];
            GlobalPlanDemand Requests(string why) => new(c.Id, "requests", "", req, req, 0, why);
            if (resolved is null)
            {
                sources.Add(Requests("no forecast yet: the loop has not ticked"));
                continue;
            }
            var d = resolved.GetValueOrDefault(c.Id);
            if (d?.Demand is not { } f)
            {
                sources.Add(Requests("no demand forecast: " + (d is null ? "unknown to the scaling stage" : string.Join("; ", new[] { d.Fallback, d.Reason }.Where(x => x is not null)))));
                continue;
            }
            if (c.Replicas < 1 || !(d.CapacityPerReplica > 0) || !(req > 0))
            {
                sources.Add(Requests(string.Create(inv, $"its forecast {d.Series} cannot be turned into cores per replica (replicas {c.Replicas}, requests.cpu {req}, one replica serves {d.CapacityPerReplica})")));
                continue;
            }
            // Cores = demand ÷ what one replica serves × the cores one replica uses doing so; shared by the replicas.
            var k = req * settings.TargetUtilisation / d.CapacityPerReplica / c.Replicas;
            var perReplica = f with
            {
                Points = f.Points.Select(p => new ForecastPoint(p.At, Math.Max(req, p.Mean * k), p.Quantiles.Select(q => Math.Max(req, q * k)).ToArray())).ToList(),
            };
            var peak = req;
            var above = 0;
            var covered = 0;
            foreach (var r in slots)
            {
                var inSlot = perReplica.Points.Select((p, i) => (p, i)).Where(x => r.Contains(x.p.At)).Select(x => perReplica.Quantile(x.i, options.Quantile)).ToList();
                if (inSlot.Count == 0)
                {
                    continue;
                }
                covered++;
                var v = inSlot.Max();
                peak = Math.Max(peak, v);
                if (v > req + 1e-9)
                {
                    above++;
                }
            }
            forecasts.Add(new ComponentDemandForecast(c.Id, ResourceKind.Cpu, perReplica));
            var why = string.Create(inv, $"{d.Kind} forecast at q{options.Quantile:0.###} over {c.Replicas} replica(s), never below the request; {covered} of {slots.Length} slots covered (the rest use the request); memory is the request");
            if (d.Fallback is not null)
            {
                why += "; " + d.Fallback;
            }
            sources.Add(new GlobalPlanDemand(c.Id, "forecast", d.Series, req, Math.Round(peak, 4), above, why));
        }
        return (forecasts, sources);
    }

    /// <summary>
    /// Why the gap to <see cref="PlacementBounds.Lower"/> overstates the distance to the optimum on this problem, or
    /// null when the bound is of the tight kind (identical hosts: a whole-host count; no communication or moves in the plan).
    /// </summary>
    public static string? BoundNote(GlobalPlacementProblem problem, GlobalPlacementOptions options, PlanMetrics? planned)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        var notes = new List<string>();
        var usable = problem.Hosts.Where(h => h.Available.All(a => a)).ToList();
        if (usable.Count > 0)
        {
            double Cost(PlanHost h) => options.CostWeight * h.PricePerHour + options.EnergyWeight * h.IdleWatts;
            var prices = usable.Select(Cost).Distinct().Count();
            var sizes = usable.Select(h => string.Join(",", h.Capacity.Select(x => x.ToString("R", CultureInfo.InvariantCulture)))).Distinct().Count();
            if (prices > 1 || sizes > 1)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"hosts differ in {(prices > 1 && sizes > 1 ? "price and size" : prices > 1 ? "price" : "size")} ({prices} price(s), {sizes} size(s)), so the bound is a fractional cover (cheapest cost per unit first) or a whole-host count, whichever is higher, and the gap can be large even for an optimal plan"));
            }
        }
        if (planned is { } m && ((m.CommunicationCost > 0 && options.CommunicationWeight > 0) || (m.Moves > 0 && options.MoveWeight > 0)))
        {
            notes.Add("the bound counts communication and moves as 0, so the plan's communication and moves are all gap");
        }
        return notes.Count == 0 ? null : "Weak bound: " + string.Join("; ", notes) + ".";
    }

    /// <summary>Plans as <paramref name="actor"/> (audited as <c>placement.global-plan</c>); <paramref name="progress"/> sees the solve's reports.</summary>
    public async Task<GlobalPlanAnswer> PlanAsync(GlobalPlanAsk ask, string actor, Action<GlobalPlanProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ask);
        var t = loop.Latest?.Topology ?? topology.Current;
        if (Problem(ask, t) is { } error)
        {
            return new GlobalPlanAnswer.Invalid(error);
        }
        var at = loop.Latest?.At ?? loop.Clock.GetUtcNow();
        var options = new GlobalPlacementOptions
        {
            TimeLimit = TimeSpan.FromSeconds(ask.TimeLimitSeconds),
            Slots = ask.Slots,
            SlotLength = TimeSpan.FromHours(ask.SlotHours),
            Quantile = ask.Quantile,
            Seed = ask.Seed,
        };
        var (demand, sources) = DemandFrom(t, loop.Latest, scaling ?? new ScalingStageSettings(), options, at);
        var problem = GlobalProblems.FromTopology(t, demand, at, options);
        var drain = new HashSet<string>(ask.Drain ?? [], StringComparer.Ordinal);
        if (drain.Count > 0)
        {
            problem = problem with
            {
                Hosts = problem.Hosts.Select(h => drain.Contains(h.Id) ? h with { Available = h.Available.Select(_ => false).ToArray() } : h).ToList(),
            };
        }
        var reports = new List<GlobalPlanProgress>();
        options.Progress = p =>
        {
            var r = new GlobalPlanProgress(Math.Round(p.Elapsed.TotalSeconds, 3), p.Stage, p.HostsUsed);
            lock (reports)
            {
                reports.Add(r);
            }
            progress?.Invoke(r);
        };
        var solver = Solvers.Create(ask.Solver);
        var result = await Task.Run(() => solver.Solve(problem, options, ct), ct).ConfigureAwait(false);
        var current = problem.Components.ToDictionary(c => c.Id, c => c.Current, StringComparer.Ordinal);
        var before = GlobalPlanSide.From(PlanEvaluator.Evaluate(problem, current, options));
        var bound = PlacementBounds.Lower(problem, options);
        // CP-SAT optimises an integer objective (costs and loads scaled and rounded), so its proved bound holds only to
        // that rounding: it can sit a hair above the plan's exact objective. A bound never exceeds a known plan's value.
        var provedBound = result.Metrics is { } pm && result.HasPlan ? Math.Min(result.BestBound, pm.Objective) : result.BestBound;
        var proved = double.IsFinite(provedBound) && provedBound > bound.Value + 1e-9;
        if (proved)
        {
            // The solver proved a stronger bound on this very problem (CP-SAT's search, or the LP-guided packing's
            // configuration LP when CP-SAT pricing proved it optimal): report the gap against it, saying which.
            var how = result.Solver == "lp-packing"
                ? "by the configuration LP of lp-packing (column generation, CP-SAT pricing proved no better column)"
                : $"by {result.Solver} on the whole problem ({(result.Status == GlobalSolveStatus.Optimal ? "optimal" : "search stopped at the time limit")})";
            bound = new PlacementBound(provedBound, provedBound, string.Create(CultureInfo.InvariantCulture,
                $"lower bound {provedBound:0.###} proved {how}; stronger than {bound.Explanation}"));
        }
        var diff = new List<GlobalPlanChange>();
        var freed = new List<string>();
        GlobalPlanSide? after = null;
        double? gap = null;
        if (result.HasPlan && result.Metrics is { } m)
        {
            after = GlobalPlanSide.From(m);
            gap = m.Objective > 0 ? Math.Round(Math.Max(0, (m.Objective - bound.Value) / m.Objective), 5) : 0;
            foreach (var c in problem.Components)
            {
                var now = c.Current.ToList();
                var next = result.Assignment.GetValueOrDefault(c.Id)?.ToList() ?? [];
                foreach (var h in now.Intersect(next, StringComparer.Ordinal).ToList())
                {
                    now.Remove(h);
                    next.Remove(h);
                }
                var pairs = Math.Min(now.Count, next.Count);
                for (var i = 0; i < pairs; i++)
                {
                    diff.Add(new("move", c.Id, now[i], next[i]));
                }
                diff.AddRange(next.Skip(pairs).Select(h => new GlobalPlanChange("add", c.Id, null, h)));
                diff.AddRange(now.Skip(pairs).Select(h => new GlobalPlanChange("remove", c.Id, h, null)));
            }
            for (var i = 0; i < diff.Count; i++)
            {
                diff[i] = diff[i] with { Phase = i == 0 ? 1 : 2 + (i - 1) / ask.MovesPerPhase };
            }
            var usedAfter = result.Assignment.Values.SelectMany(x => x).ToHashSet(StringComparer.Ordinal);
            freed = current.Values.SelectMany(x => x).Distinct(StringComparer.Ordinal).Where(h => !usedAfter.Contains(h)).Order(StringComparer.Ordinal).ToList();
        }
        var status = result.Status switch
        {
            GlobalSolveStatus.Optimal => "optimal",
            GlobalSolveStatus.Feasible => "feasible",
            GlobalSolveStatus.Infeasible => "infeasible",
            _ => "unknown",
        };
        var id = "gp-" + at.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" + Hash(string.Join("|", diff.Select(d => $"{d.Kind}:{d.Component}:{d.From}:{d.To}")));
        var plan = diff.Count == 0 ? null : BuildPlan(id, diff, before, after!, actor, at, ask);
        var view = new GlobalPlanView(id, at, result.Solver, status, diff.Count > 0, before, after, Math.Round(bound.Value, 4), gap, bound.Explanation,
            Math.Round(result.WallTime.TotalSeconds, 3), ask.TimeLimitSeconds, diff, freed, reports, result.Reasons, plan, false)
        {
            Demand = sources,
            BoundNote = result.Status == GlobalSolveStatus.Optimal ? null
                : proved ? $"{result.Solver} proved this bound on the whole problem but stopped at the time limit before closing the gap, so the gap is an upper limit on the distance to the optimum."
                : BoundNote(problem, options, result.HasPlan ? result.Metrics : null),
        };
        await state.AuditAsync(loop.Tenant, new AuditEntry(loop.Clock.GetUtcNow(), actor, "placement.global-plan", id, string.Create(CultureInfo.InvariantCulture,
            $"{result.Solver} {status} in {result.WallTime.TotalSeconds:0.0} s: {diff.Count} change(s); hosts {before.HostsUsed} -> {after?.HostsUsed.ToString(CultureInfo.InvariantCulture) ?? "-"}; objective {before.Objective:0.###} -> {after?.Objective.ToString("0.###", CultureInfo.InvariantCulture) ?? "-"} (bound {bound.Value:0.###})")), ct).ConfigureAwait(false);
        return new GlobalPlanAnswer.Planned(view);
    }

    private static ExecutionPlan BuildPlan(string id, List<GlobalPlanChange> diff, GlobalPlanSide before, GlobalPlanSide after, string actor, DateTimeOffset at, GlobalPlanAsk ask)
    {
        var soak = TimeSpan.FromSeconds(ask.SoakSeconds);
        var batches = diff.GroupBy(d => d.Phase).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        var phases = batches.Select((b, i) =>
        {
            // Make before break: start the new replicas, let the gate soak, then stop the originals.
            var steps = new List<ExecutionStep>();
            steps.AddRange(b.Where(c => c.To is not null).Select(c => (ExecutionStep)new ReplicaStep(c.Component, c.To!, true)));
            steps.Add(new GateStep(soak, []));
            steps.AddRange(b.Where(c => c.From is not null).Select(c => (ExecutionStep)new ReplicaStep(c.Component, c.From!, false)));
            return new PlanPhase(i == 0 ? "canary" : string.Create(CultureInfo.InvariantCulture, $"phase {i + 1}"), i == 0, steps);
        }).ToList();
        var title = string.Create(CultureInfo.InvariantCulture,
            $"global placement: {diff.Count(d => d.Kind == "move")} move(s), {diff.Count(d => d.Kind == "add")} add, {diff.Count(d => d.Kind == "remove")} remove; hosts {before.HostsUsed} -> {after.HostsUsed}");
        return new ExecutionPlan(id, PlanKind.Migration, title, actor, at, phases);
    }

    private string? Problem(GlobalPlanAsk ask, Topology t)
    {
        var inv = CultureInfo.InvariantCulture;
        if (!double.IsFinite(ask.TimeLimitSeconds) || ask.TimeLimitSeconds <= 0 || ask.TimeLimitSeconds > 60)
        {
            return string.Create(inv, $"timeLimitSeconds: {ask.TimeLimitSeconds} must be in (0, 60]");
        }
        if (_solvers.Check(ask.Solver) is { } unknown)
        {
            return unknown;
        }
        if (ask.Slots is < 1 or > 168)
        {
            return string.Create(inv, $"slots: {ask.Slots} is outside 1–168");
        }
        if (!double.IsFinite(ask.SlotHours) || ask.SlotHours <= 0 || ask.SlotHours > 24)
        {
            return string.Create(inv, $"slotHours: {ask.SlotHours} must be in (0, 24]");
        }
        if (!double.IsFinite(ask.Quantile) || ask.Quantile <= 0 || ask.Quantile >= 1)
        {
            return string.Create(inv, $"quantile: {ask.Quantile} must be in (0, 1)");
        }
        if (!double.IsFinite(ask.SoakSeconds) || ask.SoakSeconds < 0 || ask.SoakSeconds > 3600)
        {
            return string.Create(inv, $"soakSeconds: {ask.SoakSeconds} must be in [0, 3600]");
        }
        if (ask.MovesPerPhase is < 1 or > 1000)
        {
            return string.Create(inv, $"movesPerPhase: {ask.MovesPerPhase} is outside 1–1000");
        }
        if (ask.Drain is { } drain)
        {
            if (drain.Count > GlobalPlanAsk.MaxDrain)
            {
                return string.Create(inv, $"drain: {drain.Count} hosts named, at most {GlobalPlanAsk.MaxDrain}");
            }
            var hosts = t.Hosts.Select(h => h.Id).ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < drain.Count; i++)
            {
                if (drain[i] is null || !hosts.Contains(drain[i]))
                {
                    return $"drain[{i}]: '{drain[i]}' is not a host of the topology";
                }
            }
        }
        if (!t.Hosts.Any())
        {
            return "the topology has no hosts";
        }
        return null;
    }

    private static string Hash(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..8];
}
