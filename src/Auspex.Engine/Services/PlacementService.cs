using System.Globalization;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Engine.Loop;
using Auspex.Placement.Footprints;
using Auspex.Placement.Selection;
using Auspex.Storage;

namespace Auspex.Engine.Services;

/// <summary>A question "where would this deployment go?" (the body of <c>POST /api/v1/placements</c>, and <c>auspex place</c>).</summary>
public sealed record PlacementAsk
{
    /// <summary>An existing component: its service, requests and tiers are the defaults; its replicas count for spread.</summary>
    public string? Component { get; init; }

    /// <summary>Service (default: the component's, else the component id).</summary>
    public string? Service { get; init; }

    /// <summary>What one replica asks for, resource key → amount (e.g. cpu 2, memory 4294967296); default the component's requests.</summary>
    public IReadOnlyDictionary<string, double>? Requests { get; init; }

    /// <summary>How long the replicas will run, in hours (fit is checked over it). Default 1.</summary>
    public double LifetimeHours { get; init; } = 1;

    /// <summary>Replicas to place one after the other (1–100). Default 1.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Tiers allowed (empty = any; default the component's).</summary>
    public IReadOnlyList<string>? Tiers { get; init; }

    /// <summary>Spread replicas over this level (host, rack, zone, region) with max skew 1; null = no spread constraint.</summary>
    public string? SpreadOver { get; init; }

    /// <summary>Steering seed (the same seed, snapshot and ask give the same choice). Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>How many of the best candidates to return with every plugin's score (1–100). Default 10.</summary>
    public int Candidates { get; init; } = 10;

    /// <summary>True (default): only answer. False: also record the decision (needs an operator key over HTTP).</summary>
    public bool DryRun { get; init; } = true;
}

/// <summary>One candidate host with each plugin's score.</summary>
/// <param name="Host">Host id.</param>
/// <param name="Total">Weighted total, 0–100.</param>
/// <param name="Rank">1 = best.</param>
/// <param name="Plugins">Each score plugin's raw value, normalised score (0–100), weight and reason.</param>
public sealed record CandidateView(string Host, double Total, int Rank, IReadOnlyList<PluginScore> Plugins);

/// <summary>One replica's decision.</summary>
/// <param name="Replica">Replica number, from 1.</param>
/// <param name="Host">Chosen host, null when infeasible.</param>
/// <param name="Score">Its total, 0–100.</param>
/// <param name="Probability">The steering function's chance for it.</param>
/// <param name="Explanation">Why, in one line.</param>
/// <param name="Reasons">For an infeasible replica: one line per filter.</param>
public sealed record ReplicaDecision(int Replica, string? Host, double? Score, double? Probability, string Explanation, IReadOnlyList<string> Reasons);

/// <summary>The answer to a <see cref="PlacementAsk"/>.</summary>
/// <param name="Id">Decision id (also in the audit log).</param>
/// <param name="At">Snapshot time (loop clock).</param>
/// <param name="Component">Component placed.</param>
/// <param name="DryRun">True when nothing was recorded.</param>
/// <param name="Feasible">True when every replica found a host.</param>
/// <param name="Chosen">The first replica's host, null when infeasible.</param>
/// <param name="Replicas">Every replica's decision.</param>
/// <param name="Weights">Score plugins and their weights.</param>
/// <param name="Candidates">The best feasible hosts for the first replica, each with every plugin's score.</param>
/// <param name="FeasibleHosts">Hosts that passed every filter (first replica).</param>
/// <param name="RejectedHosts">Hosts a filter ruled out (first replica).</param>
/// <param name="Rejections">One line per filter that ruled hosts out, with an example.</param>
public sealed record PlacementDecisionView(string Id, DateTimeOffset At, string Component, bool DryRun, bool Feasible, string? Chosen,
    IReadOnlyList<ReplicaDecision> Replicas, IReadOnlyDictionary<string, double> Weights, IReadOnlyList<CandidateView> Candidates,
    int FeasibleHosts, int RejectedHosts, IReadOnlyList<string> Rejections);

/// <summary>The outcome of asking.</summary>
public abstract record PlacementAnswer
{
    private PlacementAnswer()
    {
    }

    /// <summary>Decided (feasible or not: see <see cref="PlacementDecisionView.Feasible"/>).</summary>
    /// <param name="Decision">The decision.</param>
    public sealed record Decided(PlacementDecisionView Decision) : PlacementAnswer;

    /// <summary>The ask itself is wrong.</summary>
    /// <param name="Error">What and where.</param>
    public sealed record Invalid(string Error) : PlacementAnswer;
}

/// <summary>
/// Select-a-locality and footprint planning on the loop's latest forecasts and scores: answers "where would this go",
/// explains every choice (each plugin's score per candidate) and audits every decision; plans migrations from
/// localities predicted to fail or overload (Health Projection Scores and desirability) to safer ones.
/// </summary>
public sealed class PlacementService(IStateStore state, TopologyHolder topology, ControlLoop loop, PlacementOptions? options = null, FootprintOptions? footprint = null)
{
    private readonly ILocalitySelector _selector = LocalitySelection.Create(options);
    private readonly Lock _gate = new();
    private (DateTimeOffset At, PlacementSnapshot Snapshot)? _cached;

    /// <summary>The selector in use.</summary>
    public ILocalitySelector Selector => _selector;

    /// <summary>The placement snapshot of the loop's latest tick (built once per tick).</summary>
    public PlacementSnapshot Snapshot()
    {
        var latest = loop.Latest;
        lock (_gate)
        {
            if (latest is null)
            {
                return PlacementSnapshot.Create(topology.Current, [], [], loop.Clock.GetUtcNow(), _selector.Options);
            }
            if (_cached is not { } c || c.At != latest.At)
            {
                var forecasts = latest.Forecasts.Select(f => new HostUsageForecast(f.Host, f.Resource, f.Forecast));
                _cached = (latest.At, PlacementSnapshot.Create(latest.Topology, forecasts, latest.Scores, latest.At, _selector.Options));
            }
            return _cached.Value.Snapshot;
        }
    }

    /// <summary>Decides where <paramref name="ask"/> would go, explains it and writes it to the audit log as <paramref name="actor"/>.</summary>
    public async Task<PlacementAnswer> DecideAsync(PlacementAsk ask, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ask);
        var snapshot = Snapshot();
        if (ToRequest(ask, snapshot) is not { } request)
        {
            return new PlacementAnswer.Invalid(Problem(ask, snapshot.Topology)!);
        }
        var outcomes = _selector.SelectLocalities(request, snapshot, ask.Replicas, ask.Seed);
        var evaluation = _selector.Evaluate(request, snapshot);
        var order = Enumerable.Range(0, evaluation.FeasibleCount)
            .OrderByDescending(evaluation.Total).ThenBy(evaluation.Host, StringComparer.Ordinal).Take(ask.Candidates).ToList();
        var candidates = order.Select((i, rank) => new CandidateView(evaluation.Host(i), Math.Round(evaluation.Total(i), 3), rank + 1, evaluation.Explain(i))).ToList();
        var replicas = outcomes.Select((o, i) => o switch
        {
            PlacementOutcome.Placed p => new ReplicaDecision(i + 1, p.Host, p.Score, p.Probability,
                string.Create(CultureInfo.InvariantCulture, $"{p.Host} scores {p.Score:0.#}/100 among {p.Feasible} feasible host(s) ({p.Rejected} ruled out); top parts: ")
                + string.Join(", ", p.Parts.OrderByDescending(x => x.Normalized * x.Weight).Take(3).Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Plugin} {x.Normalized:0}"))),
                []),
            PlacementOutcome.Infeasible f => new ReplicaDecision(i + 1, null, null, null, "no host passes every filter", f.Reasons),
            _ => throw new InvalidOperationException("unknown outcome"),
        }).ToList();
        var feasible = replicas.Count == ask.Replicas && replicas.All(r => r.Host is not null);
        var id = "pd-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
        var view = new PlacementDecisionView(id, snapshot.At, request.Component, ask.DryRun, feasible, replicas.FirstOrDefault()?.Host, replicas,
            evaluation.Plugins.ToDictionary(p => p.Plugin, p => p.Weight, StringComparer.Ordinal), candidates,
            evaluation.FeasibleCount, evaluation.Rejections.Count, evaluation.RejectionSummary());
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"{(ask.DryRun ? "dry run" : "recorded")}; seed {ask.Seed}; {string.Join(", ", replicas.Select(r => r.Host ?? "infeasible"))}; first: {replicas.FirstOrDefault()?.Explanation}");
        var now = loop.Clock.GetUtcNow();
        if (!ask.DryRun)
        {
            await state.PutAsync(loop.Tenant, "placement-decision", id, System.Text.Json.JsonSerializer.Serialize(view), now, ct).ConfigureAwait(false);
        }
        await state.AuditAsync(loop.Tenant, new AuditEntry(now, actor, ask.DryRun ? "placement.ask" : "placement.decide", request.Component, id + ": " + detail), ct).ConfigureAwait(false);
        return new PlacementAnswer.Decided(view);
    }

    /// <summary>
    /// The footprint assessment on the latest tick: replicas on localities predicted to fail or overload (low HPS or
    /// desirability) and, past the threshold, the phased migration plan. Audited as <paramref name="actor"/>.
    /// </summary>
    public async Task<FootprintAssessment> PlanAsync(string actor, CancellationToken ct = default)
    {
        var snapshot = Snapshot();
        var health = loop.Latest?.Report?.Components.Select(c => new Placement.Footprints.ComponentHealth(c.Component, c.Hps)).ToList() ?? [];
        var planner = FootprintPlanning.Create(_selector, footprint);
        var a = planner.Assess(snapshot, health);
        await state.AuditAsync(loop.Tenant, new AuditEntry(loop.Clock.GetUtcNow(), actor, "placement.plan", a.Plan?.Id ?? "no-change",
            string.Create(CultureInfo.InvariantCulture, $"discrepancy {a.Discrepancy:0.###} (threshold {a.Threshold:0.###}); {a.Plan?.Moves.Count ?? 0} move(s) in {a.Plan?.Phases.Count ?? 0} phase(s)")), ct).ConfigureAwait(false);
        return a;
    }

    private static string? Problem(PlacementAsk ask, Topology t)
    {
        if (ask.Replicas is < 1 or > 100)
        {
            return $"replicas: {ask.Replicas} is outside 1–100";
        }
        if (ask.Candidates is < 1 or > 100)
        {
            return $"candidates: {ask.Candidates} is outside 1–100";
        }
        if (!double.IsFinite(ask.LifetimeHours) || ask.LifetimeHours <= 0 || ask.LifetimeHours > 24 * 365)
        {
            return string.Create(CultureInfo.InvariantCulture, $"lifetimeHours: {ask.LifetimeHours} must be in (0, 8760]");
        }
        var known = ask.Component is not null ? t.Components.FirstOrDefault(c => c.Id == ask.Component) : null;
        if (ask.Component is null && ask.Requests is null)
        {
            return "give 'component' (an existing component id) or 'requests' (e.g. {\"cpu\": 2, \"memory\": 4294967296})";
        }
        if (known is null && ask.Requests is null)
        {
            return $"component '{ask.Component}' is not in the topology: give 'requests' to place a new one";
        }
        foreach (var (k, v) in ask.Requests ?? new Dictionary<string, double>())
        {
            if (!ResourceKinds.TryParse(k, out var kind) || !kind.IsCapacity())
            {
                return $"requests: '{k}' is not a capacity resource ({string.Join(", ", ResourceKinds.All.Where(x => x.IsCapacity()).Select(x => x.Key()))})";
            }
            if (!double.IsFinite(v) || v < 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"requests.{k}: {v} must be a finite number ≥ 0");
            }
        }
        if (ask.SpreadOver is not null && !Enum.TryParse<LocalityKind>(ask.SpreadOver, ignoreCase: true, out _))
        {
            return $"spreadOver: '{ask.SpreadOver}' is not host, rack, zone or region";
        }
        return null;
    }

    private static PlacementRequest? ToRequest(PlacementAsk ask, PlacementSnapshot snapshot)
    {
        var t = snapshot.Topology;
        if (Problem(ask, t) is not null)
        {
            return null;
        }
        var known = ask.Component is not null ? t.Components.FirstOrDefault(c => c.Id == ask.Component) : null;
        var requests = ask.Requests is { } r
            ? ResourceVector.From(r.Select(p => { ResourceKinds.TryParse(p.Key, out var k); return new KeyValuePair<ResourceKind, double>(k, p.Value); }))
            : known!.Requests;
        var id = ask.Component ?? "new-deployment";
        var life = new TimeRange(snapshot.At, snapshot.At + TimeSpan.FromHours(ask.LifetimeHours));
        return new PlacementRequest(id, ask.Service ?? known?.Service ?? id, requests, life)
        {
            Tiers = ask.Tiers ?? known?.Tiers ?? [],
            Spread = ask.SpreadOver is { } s && Enum.TryParse<LocalityKind>(s, ignoreCase: true, out var level) ? [new SpreadConstraint(level)] : [],
        };
    }
}
