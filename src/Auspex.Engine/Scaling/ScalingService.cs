using System.Globalization;
using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Topology;
using Auspex.Engine.Configuration;
using Auspex.Engine.Loop;
using Auspex.Orchestration.Execution;
using Auspex.Orchestration.Pool;
using Auspex.Orchestration.Scaling;
using Auspex.Storage;

namespace Auspex.Engine.Scaling;

/// <summary>
/// The loop's scaling stage and its read side. After each tick it builds a <see cref="ScalingRequest"/> per component
/// from the component's demand forecast (<see cref="ComponentDemand"/>), asks the tiered decider for all of them at
/// once (so the tenant's budget applies across components), executes the non-deferred actions as <c>scale</c> steps on
/// the configured executor (unless forecast-only), keeps every decision in an in-memory stream for the API and writes
/// every executed step to the audit log (actor <c>auspex:scaler</c>, action <c>scale.execute</c>). It also tracks the
/// replicas per tier the executor reached, which <c>/api/v1/components</c> shows.
/// </summary>
public sealed class ScalingService
{
    private readonly ControlLoop _loop;
    private readonly IExecutor _executor;
    private readonly OrchestrationSettings _settings;
    private readonly IStateStore? _audit;
    private readonly IScalingDecider _decider;
    private readonly PinnedClock _decisionTime = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _read = new();
    private readonly LinkedList<ScalingRecord> _records = new();
    private readonly Dictionary<string, Dictionary<string, int>> _replicas;
    private long _sequence;
    private DateTimeOffset? _lastTickAt;
    private TimeSpan _lastSpacing;
    private IReadOnlyDictionary<string, DemandSource> _demand = new Dictionary<string, DemandSource>();
    private DateTimeOffset _demandAt;

    /// <summary>Creates the stage; <paramref name="initial"/> are the replicas per component and tier key the executor starts with.</summary>
    public ScalingService(ControlLoop loop, IExecutor executor, OrchestrationSettings settings, TierPool pool,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> initial, IStateStore? audit = null)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(initial);
        _loop = loop;
        _executor = executor;
        _settings = settings;
        _audit = audit;
        Pool = pool;
        // Decisions are made at the tick's time, not the clock's time when the stage runs: on the demo's accelerated
        // clock an hour of trace passes every second, and the forecasts are as of the tick.
        _decider = ScalingDecider.Create(pool, settings.DeciderOptions(loop.Options.Interval, loop.Tenant.Value), _decisionTime);
        _replicas = initial.ToDictionary(kv => kv.Key, kv => kv.Value.ToDictionary(x => x.Key, x => x.Value, StringComparer.Ordinal), StringComparer.Ordinal);
    }

    /// <summary>The tiered pool decided on.</summary>
    public TierPool Pool { get; }

    /// <summary>The executor decisions run on.</summary>
    public IExecutor Executor => _executor;

    /// <summary>The stage's settings (<c>orchestration.scaling</c>), e.g. for sizing demand the same way elsewhere.</summary>
    public ScalingStageSettings Settings => _settings.Scaling;

    /// <summary>The stage's mode.</summary>
    public ScalingStageMode Mode => _settings.Scaling.Mode;

    /// <summary>Raised for every recorded decision (on the loop's thread for loop decisions).</summary>
    public event Action<ScalingRecord>? Decided;

    /// <summary>
    /// The replicas per component and tier key a topology starts with: each placed replica on its host's tier (the
    /// pool's key for that tier name), replicas not yet placed on the component's first allowed tier.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> InitialReplicas(Topology topology, TierPool pool)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(pool);
        string KeyOf(string? tierName) => tierName is null ? "" : pool.Match(tierName).FirstOrDefault()?.Key() ?? tierName;
        var result = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        foreach (var c in topology.Components)
        {
            var byTier = c.Placement.GroupBy(h => KeyOf(topology.Find(h)?.Tier), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var unplaced = c.Replicas - c.Placement.Count;
            if (unplaced > 0)
            {
                var tier = c.Tiers.Count > 0 ? pool.Match(c.Tiers[0]).FirstOrDefault()?.Key() ?? c.Tiers[0] : pool.Tiers.FirstOrDefault()?.Key() ?? "";
                byTier[tier] = byTier.GetValueOrDefault(tier) + unplaced;
            }
            result[c.Id] = byTier;
        }
        return result;
    }

    /// <summary>Replicas of a component per tier key as the executor left them (tiers with zero omitted), or null for an unknown component.</summary>
    public IReadOnlyDictionary<string, int>? ReplicasByTier(string component)
    {
        // The simulated executor is the truth for what it holds (plans run through the API change it too).
        if (_executor is SimulatedExecutor sim && Known(component))
        {
            return sim.ReplicasByTier(component);
        }
        lock (_read)
        {
            return _replicas.TryGetValue(component, out var r)
                ? r.Where(kv => kv.Value > 0).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)
                : null;
        }
    }

    private bool Known(string component)
    {
        lock (_read)
        {
            return _replicas.ContainsKey(component);
        }
    }

    /// <summary>The recorded decisions, newest first, optionally of one component.</summary>
    public IReadOnlyList<ScalingRecord> Decisions(string? component = null, int limit = 100)
    {
        lock (_read)
        {
            return _records.Where(r => component is null || r.Component == component).Take(Math.Max(0, limit)).ToList();
        }
    }

    /// <summary>The stage: decides every component on the tick's forecasts and executes (unless forecast-only).</summary>
    public async Task<int> TickAsync(LoopResults results, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (Mode == ScalingStageMode.Off)
        {
            return 0;
        }
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var next = NextDecisionIn(results.At);
            var built = Requests(results, null, null, next);
            _decisionTime.Now = results.At;
            var decisions = _decider.DecideAll(built.Requests);
            var records = new List<ScalingRecord>();
            for (var i = 0; i < decisions.Count; i++)
            {
                records.Add(await CarryOutAsync(decisions[i], built.Requests[i], built.Sources[i], "loop", execute: decisions[i].Act, dryRun: false, "auspex:scaler", ct).ConfigureAwait(false));
            }
            records.AddRange(built.Skipped.Select(s => Invalid(results.At, s.Component, s.Reason, "loop")));
            foreach (var r in records)
            {
                Record(r);
            }
            return records.Count;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Decides one component now on the latest tick's forecasts (optionally at another quantile) with a fresh decider
    /// (no scale-in history), and either dry-runs its steps (<paramref name="dryRun"/>) or executes them whatever the
    /// stage's mode — an operator's explicit request. Null before the first tick or for an unknown component.
    /// </summary>
    public Task<ScalingRecord?> DecideOneAsync(string component, double? quantile, bool dryRun, string actor, CancellationToken ct = default) =>
        _loop.Latest is { } latest ? DecideOneAsync(latest, component, quantile, dryRun, actor, ct) : Task.FromResult<ScalingRecord?>(null);

    /// <summary>As <see cref="DecideOneAsync(string, double?, bool, string, CancellationToken)"/> on given results.</summary>
    internal async Task<ScalingRecord?> DecideOneAsync(LoopResults latest, string component, double? quantile, bool dryRun, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(component);
        if (latest.Topology.Components.All(c => c.Id != component))
        {
            return null;
        }
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // The next loop decision is the one that can follow this one: at least the interval, or the ticks' spacing.
            var built = Requests(latest, component, quantile, _lastSpacing > _loop.Options.Interval ? _lastSpacing : null);
            if (built.Requests.Count == 0)
            {
                var invalid = Invalid(latest.At, component, built.Skipped.FirstOrDefault().Reason ?? "no request", dryRun ? "preview" : "manual");
                return dryRun ? invalid : Record(invalid);
            }
            var options = _settings.DeciderOptions(_loop.Options.Interval, _loop.Tenant.Value);
            options.Mode = ScalingMode.Full;
            var decision = ScalingDecider.Create(Pool, options, new PinnedClock { Now = latest.At }).Decide(built.Requests[0]);
            var r = await CarryOutAsync(decision, built.Requests[0], built.Sources[0], dryRun ? "preview" : "manual", execute: true, dryRun, actor, ct).ConfigureAwait(false);
            return dryRun ? r : Record(r);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// How long, in the loop's time, until the next decision: at least the loop's interval; on a clock running faster
    /// than the tick's work (the demo's replay) the next tick comes at the first interval boundary after this one ends,
    /// so at least the loop time this tick has already taken plus an interval, and no less than the last spacing seen.
    /// </summary>
    internal TimeSpan NextDecisionIn(DateTimeOffset at)
    {
        var interval = _loop.Options.Interval;
        if (_lastTickAt is { } last && at > last)
        {
            _lastSpacing = at - last;
        }
        _lastTickAt = at;
        var elapsed = _loop.Clock.GetUtcNow() - at;
        var bound = elapsed > TimeSpan.Zero ? TimeSpan.FromTicks((elapsed.Ticks / interval.Ticks + 1) * interval.Ticks) : interval;
        return new[] { interval, bound, _lastSpacing }.Max();
    }

    /// <summary>
    /// A component's demand as of the latest tick (its own series' forecast or its hosts' CPU shares, with the reason),
    /// and that tick's time; null before the first tick or for an unknown component. The KEDA scaler serves it for
    /// <c>service: &lt;component id&gt;</c> when no series carries that label.
    /// </summary>
    public (DemandSource Demand, DateTimeOffset At)? DemandOf(string component)
    {
        lock (_read)
        {
            return _demand.TryGetValue(component, out var d) ? (d, _demandAt) : null;
        }
    }

    private (List<ScalingRequest> Requests, List<DemandSource> Sources, List<(string Component, string Reason)> Skipped) Requests(LoopResults results, string? only, double? quantile, TimeSpan? next)
    {
        var topology = results.Topology;
        var demand = ComponentDemand.Resolve(topology, results.Forecasts, results.ComponentForecasts, _settings.Scaling);
        if (only is null)
        {
            lock (_read)
            {
                (_demand, _demandAt) = (demand, results.At);
            }
        }
        var requests = new List<ScalingRequest>();
        var sources = new List<DemandSource>();
        var skipped = new List<(string, string)>();
        var s = _settings.Scaling;
        foreach (var c in topology.Components.Where(c => only is null || c.Id == only))
        {
            var source = demand[c.Id];
            if (source.Demand is null)
            {
                skipped.Add((c.Id, source.Reason + (source.Fallback is { } f ? " (" + f + ")" : "")));
                continue;
            }
            var slo = topology.Slos.FirstOrDefault(x => x.Target == c.Id) ?? topology.Slos.FirstOrDefault(x => x.Target == c.Service);
            var current = new Dictionary<string, int>(ReplicasByTier(c.Id) ?? new Dictionary<string, int>(), StringComparer.Ordinal);
            requests.Add(new ScalingRequest(topology.Tenant, c.Id, source.Demand, source.CapacityPerReplica, current)
            {
                AllowedTiers = c.Tiers,
                Quantile = quantile ?? slo?.ForecastQuantile,
                Availability = slo is { Availability: > 0 and < 1 } ? slo.Availability : null,
                MinUnits = s.MinReplicas,
                MaxUnits = s.MaxReplicas,
                DecisionInterval = next,
            });
            sources.Add(source);
        }
        return (requests, sources, skipped);
    }

    private async Task<ScalingRecord> CarryOutAsync(ScalingDecision d, ScalingRequest request, DemandSource demand, string source, bool execute, bool dryRun, string actor, CancellationToken ct)
    {
        var steps = new List<ScalingStepOutcome>();
        var executed = false;
        if (execute && d.Outcome is ScalingOutcome.ScaleOut or ScalingOutcome.ScaleIn or ScalingOutcome.Infeasible)
        {
            foreach (var a in d.Actions.Where(a => !a.Deferred && a.To != a.From))
            {
                var step = new ScaleStep(d.Component, a.Tier, a.To);
                StepResult result;
                try
                {
                    result = await _executor.ExecuteAsync(step, dryRun, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    // An executor's unexpected exception is this step's failure, recorded; the stage goes on.
                    result = new StepResult(StepStatus.Failed, e.GetType().Name + ": " + e.Message);
                }
                steps.Add(new ScalingStepOutcome(step.Describe(), JsonName(result.Status), result.Detail));
                if (dryRun)
                {
                    continue;
                }
                executed = true;
                if (result.Succeeded)
                {
                    lock (_read)
                    {
                        if (!_replicas.TryGetValue(d.Component, out var r))
                        {
                            _replicas[d.Component] = r = new Dictionary<string, int>(StringComparer.Ordinal);
                        }
                        r[a.Tier] = a.To;
                    }
                }
                if (_audit is not null)
                {
                    // Loop decisions are audited at the tick's time: the replay (demo) clock runs ahead of the data while
                    // the tick works, and the action belongs to the state the tick decided on. Operator requests at the clock's time.
                    var when = source == "loop" ? d.At : _loop.Clock.GetUtcNow();
                    await _audit.AuditAsync(_loop.Tenant, new AuditEntry(when, actor, "scale.execute", "component/" + d.Component,
                        $"{step.Describe()} on {_executor.Name}: {JsonName(result.Status)}: {result.Detail}"), CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        var interval = request.DecisionInterval ?? _loop.Options.Interval;
        var lead = d.WindowEnd - d.At - interval;
        return new ScalingRecord
        {
            Sequence = 0,
            Tenant = d.Tenant.Value,
            At = d.At,
            Component = d.Component,
            Outcome = d.Outcome,
            Source = source,
            Mode = JsonName(Mode),
            Act = d.Act,
            Executed = executed,
            Executor = _executor.Name,
            Quantile = d.Quantile,
            Availability = d.Availability,
            RequiredDemand = d.RequiredDemand,
            CapacityPerReplica = request.CapacityPerUnit,
            RequiredCapacity = d.RequiredDemand / request.CapacityPerUnit,
            PeakAt = d.PeakAt,
            LeadTime = lead < TimeSpan.Zero ? TimeSpan.Zero : lead,
            WindowEnd = d.WindowEnd,
            Current = d.Current,
            TierMix = d.Target,
            Actions = d.Actions,
            CoverProbability = d.CoverProbability,
            CurrentCostPerHour = d.CurrentCostPerHour,
            TargetCostPerHour = d.TargetCostPerHour,
            BudgetLimited = d.BudgetLimited,
            Reason = d.Reason,
            Steps = steps,
            NextDecisionIn = interval,
            DemandKind = demand.Kind,
            DemandSeries = demand.Series,
            DemandFallback = demand.Fallback,
        };
    }

    private ScalingRecord Invalid(DateTimeOffset at, string component, string reason, string source) => new()
    {
        Sequence = 0,
        Tenant = _loop.Tenant.Value,
        At = at,
        Component = component,
        Outcome = ScalingOutcome.Invalid,
        Source = source,
        Mode = JsonName(Mode),
        Executor = _executor.Name,
        Reason = reason,
    };

    private ScalingRecord Record(ScalingRecord r)
    {
        lock (_read)
        {
            r = r with { Sequence = ++_sequence };
            _records.AddFirst(r);
            while (_records.Count > _settings.Scaling.History)
            {
                _records.RemoveLast();
            }
        }
        Decided?.Invoke(r);
        return r;
    }

    private static string JsonName<T>(T value) where T : struct, Enum
    {
        var s = value.ToString();
        return char.ToLowerInvariant(s[0]) + s[1..];
    }

    /// <summary>A one-line summary for logs.</summary>
    public static string Summarise(ScalingRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var mix = string.Join(", ", r.TierMix.Where(kv => kv.Value > 0).Select(kv => $"{kv.Value} on {kv.Key}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"{r.Component}: {JsonName(r.Outcome)} to [{mix}] covering {r.RequiredDemand:0.##} cores at q{r.Quantile:0.##} (lead {r.LeadTime.TotalMinutes:0} min){(r.Executed ? " — executed on " + r.Executor : "")}");
    }

    /// <summary>A clock that reads the time it was set to.</summary>
    private sealed class PinnedClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
