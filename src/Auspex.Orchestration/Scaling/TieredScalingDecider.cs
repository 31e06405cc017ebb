using System.Globalization;
using Auspex.Core.Forecasts;
using Auspex.Orchestration.Pool;

namespace Auspex.Orchestration.Scaling;

/// <summary>
/// The decider. For each component: (1) the demand to cover is the peak, over now … now + interval + the longest lead
/// time of its tiers, of the forecast quantile its SLO demands; (2) a unit of tier t serves capacity_per_unit ×
/// performance_t; (3) if the current units do not cover it with the SLA's probability after preemptions, the
/// cheapest additions in expected cost (price + preemption replacements) are chosen, and each tier's request is
/// timed at (first time the forecast exceeds current capacity) − its lead time, deferred when that is after the next
/// run; (4) otherwise, if the stabilised requirement leaves more than the scale-in threshold spare, the units with the
/// highest cost per capacity are released while coverage holds.
/// </summary>
internal sealed class TieredScalingDecider(TierPool pool, ScalingOptions options, TimeProvider time) : IScalingDecider
{
    private readonly Dictionary<(string Tenant, string Component), List<(DateTimeOffset At, double Demand)>> _history = [];
    private readonly Lock _gate = new();

    public TierPool Pool => pool;

    public ScalingDecision Decide(ScalingRequest request) => DecideAll([request])[0];

    public IReadOnlyList<ScalingDecision> DecideAll(IReadOnlyList<ScalingRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var now = time.GetUtcNow();
        var plans = new List<Plan>(requests.Count);
        lock (_gate)
        {
            foreach (var r in requests)
            {
                plans.Add(Prepare(r, now));
            }
        }
        // Budgets: committed = what every component will cost if scale-outs are not granted; then grant in order.
        foreach (var tenantPlans in plans.Where(p => p.Slots is not null).GroupBy(p => p.Request.Tenant.Value, StringComparer.Ordinal))
        {
            if (!options.TenantBudgets.TryGetValue(tenantPlans.Key, out var budget))
            {
                continue;
            }
            var committed = tenantPlans.Sum(p => p.Outcome == ScalingOutcome.ScaleOut || p.Outcome == ScalingOutcome.Infeasible ? Price(p.Slots!, p.Existing!) : Price(p.Slots!, p.Target!));
            foreach (var p in tenantPlans.Where(p => p.Outcome is ScalingOutcome.ScaleOut or ScalingOutcome.Infeasible))
            {
                var extra = Price(p.Slots!, p.Target!) - Price(p.Slots!, p.Existing!);
                if (committed + extra <= budget + 1e-9)
                {
                    committed += extra;
                    continue;
                }
                var allowance = Math.Max(0, budget - committed);
                var add = TierMixSearch.Greedy(p.Slots!, p.Existing!, p.Demand, p.Availability, p.MaxTotal, allowance);
                p.Target = p.Existing!.Zip(add, (e, a) => e + a).ToArray();
                committed += Price(p.Slots!, p.Target) - Price(p.Slots!, p.Existing!);
                p.BudgetLimited = true;
                p.Outcome = ScalingOutcome.Infeasible;
                p.Why = string.Create(CultureInfo.InvariantCulture,
                    $"{p.Why} Tenant {tenantPlans.Key}'s budget {budget:0.###}/h leaves {allowance:0.###}/h for this component's scale-out, short of the {extra:0.###}/h it needs.");
            }
        }
        return plans.Select(p => Finish(p, now)).ToList();
    }

    private sealed class Plan(ScalingRequest request)
    {
        public ScalingRequest Request { get; } = request;
        public TierSlot[]? Slots { get; set; }
        public int[]? Existing { get; set; }
        public int[]? Target { get; set; }
        public ScalingOutcome Outcome { get; set; } = ScalingOutcome.Invalid;
        public double Quantile { get; set; }
        public double Availability { get; set; }
        public double Demand { get; set; }
        public DateTimeOffset PeakAt { get; set; }
        public DateTimeOffset WindowEnd { get; set; }
        public DateTimeOffset NeededAt { get; set; }
        public int MaxTotal { get; set; }
        public bool BudgetLimited { get; set; }
        public string Why { get; set; } = "";
    }

    private Plan Prepare(ScalingRequest r, DateTimeOffset now)
    {
        var plan = new Plan(r);
        if (r.Validate() is { } problem)
        {
            plan.Why = problem;
            return plan;
        }
        plan.Quantile = r.Quantile ?? options.DefaultQuantile;
        plan.Availability = r.Availability ?? options.DefaultAvailability;
        plan.MaxTotal = r.MaxUnits ?? int.MaxValue;

        // Tiers: the allowed ones plus any the component runs on now.
        var allowed = r.AllowedTiers.Count == 0 ? pool.Tiers : r.AllowedTiers.SelectMany(pool.Match).Distinct().ToList();
        if (allowed.Count == 0)
        {
            plan.Why = $"component {r.Component}: no tier of the pool matches {string.Join(", ", r.AllowedTiers)}";
            return plan;
        }
        var unknown = r.Current.Keys.Where(k => pool.Find(k) is null).ToList();
        if (unknown.Count > 0)
        {
            plan.Why = $"component {r.Component}: current units on unknown tier(s) {string.Join(", ", unknown)}";
            return plan;
        }
        var allowedKeys = allowed.Select(t => t.Key()).ToHashSet(StringComparer.Ordinal);
        var tiers = allowed.Concat(r.Current.Where(kv => kv.Value > 0).Select(kv => pool.Find(kv.Key)!)).Distinct().ToList();
        var maxLead = allowed.Max(t => t.ProvisioningLeadTime);
        var interval = r.DecisionInterval ?? options.DecisionInterval;
        var windowEnd = now + interval + maxLead;
        plan.WindowEnd = windowEnd;
        var slots = tiers.Select(t =>
        {
            var key = t.Key();
            var exposure = interval + t.ProvisioningLeadTime;
            var replacement = t.PreemptionProbabilityPerHour * (t.PricePerHour * t.ProvisioningLeadTime.TotalHours + options.PreemptionPenalty);
            var current = r.Current.GetValueOrDefault(key);
            var cap = Math.Min(pool.MaxUnits(key) ?? options.MaxUnitsPerTier, int.MaxValue / 4);
            return new TierSlot(key, r.CapacityPerUnit * t.PerformanceFactor, t.SurvivalProbability(exposure), t.PricePerHour,
                t.PricePerHour + replacement, Math.Max(0, cap - current), t.ProvisioningLeadTime, allowedKeys.Contains(key));
        }).ToArray();
        plan.Slots = slots;
        plan.Existing = slots.Select(s => r.Current.GetValueOrDefault(s.Key)).ToArray();

        // The demand to cover: peak of the quantile over the window.
        var points = Window(r.Demand, now, windowEnd);
        if (points is null)
        {
            plan.Slots = null;
            plan.Why = string.Create(CultureInfo.InvariantCulture, $"component {r.Component}: the demand forecast ends at {r.Demand.Points[^1].At:O}, before now ({now:O})");
            return plan;
        }
        var (demand, peakAt) = (double.NegativeInfinity, now);
        foreach (var i in points)
        {
            var v = Math.Max(0, r.Demand.Quantile(i, plan.Quantile));
            if (v > demand)
            {
                (demand, peakAt) = (v, r.Demand.Points[i].At);
            }
        }
        plan.Demand = demand;
        plan.PeakAt = peakAt;

        // First time the current units fall short: the moment added capacity is needed.
        plan.NeededAt = now;
        foreach (var i in points)
        {
            var v = Math.Max(0, r.Demand.Quantile(i, plan.Quantile));
            if (CoverModel.Probability(slots, plan.Existing, v) < plan.Availability)
            {
                plan.NeededAt = r.Demand.Points[i].At < now ? now : r.Demand.Points[i].At;
                break;
            }
        }

        // Scale-in stabilisation history.
        var key2 = (r.Tenant.Value, r.Component);
        if (!_history.TryGetValue(key2, out var hist))
        {
            _history[key2] = hist = [];
        }
        hist.RemoveAll(h => h.At < now - options.ScaleInStabilization || h.At > now);
        hist.Add((now, demand));
        var stabilised = hist.Max(h => h.Demand);

        var existingTotal = plan.Existing.Sum();
        var currentP = CoverModel.Probability(slots, plan.Existing, demand);
        var minTarget = Math.Max(0, r.MinUnits - existingTotal);
        if (currentP < plan.Availability || minTarget > 0)
        {
            var add = TierMixSearch.Cheapest(slots, plan.Existing, demand, plan.Availability, plan.MaxTotal, options.SloBreachCostPerHour);
            var feasible = add is not null;
            add ??= TierMixSearch.Greedy(slots, plan.Existing, demand, plan.Availability, plan.MaxTotal, double.PositiveInfinity);
            TopUp(slots, plan.Existing, add, r.MinUnits, plan.MaxTotal);
            plan.Target = plan.Existing.Zip(add, (e, a) => e + a).ToArray();
            plan.Outcome = feasible ? ScalingOutcome.ScaleOut : ScalingOutcome.Infeasible;
            plan.Why = feasible
                ? string.Create(CultureInfo.InvariantCulture, $"Forecast q{plan.Quantile * 100:0.#} peaks at {demand:0.###} at {peakAt:HH:mm}; current units cover it with probability {currentP:0.####} < {plan.Availability:0.####}, so the cheapest additions in expected cost are requested ahead of their lead times.")
                : string.Create(CultureInfo.InvariantCulture, $"Forecast q{plan.Quantile * 100:0.#} peaks at {demand:0.###} at {peakAt:HH:mm}; no mix within the quotas and max_units reaches availability {plan.Availability:0.####}; best effort.");
            return plan;
        }

        var spare = CoverModel.Probability(slots, plan.Existing, stabilised * (1 + options.ScaleInThreshold)) >= plan.Availability;
        if (!spare || existingTotal <= r.MinUnits)
        {
            plan.Target = plan.Existing;
            plan.Outcome = ScalingOutcome.Hold;
            plan.Why = string.Create(CultureInfo.InvariantCulture,
                $"Current units cover the forecast q{plan.Quantile * 100:0.#} peak {demand:0.###} (probability {currentP:0.####}) and the stabilised requirement {stabilised:0.###} leaves less than {options.ScaleInThreshold:P0} spare.");
            return plan;
        }
        var target = (int[])plan.Existing.Clone();
        var total = existingTotal;
        var order = Enumerable.Range(0, slots.Length).OrderByDescending(i => slots[i].CostPerCapacity).ThenBy(i => slots[i].Key, StringComparer.Ordinal).ToArray();
        var removed = true;
        while (removed && total > r.MinUnits)
        {
            removed = false;
            foreach (var i in order)
            {
                if (target[i] == 0)
                {
                    continue;
                }
                target[i]--;
                if (CoverModel.Probability(slots, target, stabilised) >= plan.Availability)
                {
                    total--;
                    removed = true;
                    break;
                }
                target[i]++;
            }
        }
        plan.Target = target;
        plan.Outcome = total < existingTotal ? ScalingOutcome.ScaleIn : ScalingOutcome.Hold;
        plan.Why = plan.Outcome == ScalingOutcome.ScaleIn
            ? string.Create(CultureInfo.InvariantCulture,
                $"The highest requirement of the last {options.ScaleInStabilization.TotalMinutes:0.#} min is {stabilised:0.###}, more than {options.ScaleInThreshold:P0} below current capacity; units with the highest cost per capacity are released while coverage stays ≥ {plan.Availability:0.####}.")
            : string.Create(CultureInfo.InvariantCulture,
                $"The highest requirement of the last {options.ScaleInStabilization.TotalMinutes:0.#} min is {stabilised:0.###}, more than {options.ScaleInThreshold:P0} below current capacity, but no unit can be released while coverage stays ≥ {plan.Availability:0.####} (units are whole).");
        if (options.Mode == ScalingMode.ScaleOutOnly && plan.Outcome == ScalingOutcome.ScaleIn)
        {
            plan.Target = plan.Existing;
            plan.Outcome = ScalingOutcome.Hold;
            plan.Why += " Scale-in suppressed: scale-out-only mode.";
        }
        return plan;
    }

    private static void TopUp(TierSlot[] slots, int[] existing, int[] add, int minUnits, int maxTotal)
    {
        var order = Enumerable.Range(0, slots.Length).Where(i => slots[i].Allowed).OrderBy(i => slots[i].CostPerCapacity).ThenBy(i => slots[i].Key, StringComparer.Ordinal).ToArray();
        var total = existing.Sum() + add.Sum();
        while (total < Math.Min(minUnits, maxTotal))
        {
            var pick = order.FirstOrDefault(i => add[i] < slots[i].Headroom, -1);
            if (pick < 0)
            {
                return;
            }
            add[pick]++;
            total++;
        }
    }

    private static List<int>? Window(Forecast f, DateTimeOffset now, DateTimeOffset end)
    {
        var list = new List<int>();
        for (var i = 0; i < f.Points.Count; i++)
        {
            var at = f.Points[i].At;
            if (at > now - f.Step && at <= end)
            {
                list.Add(i);
            }
        }
        if (list.Count == 0)
        {
            var next = Enumerable.Range(0, f.Points.Count).FirstOrDefault(i => f.Points[i].At > end, -1);
            if (next < 0)
            {
                return null;
            }
            list.Add(next);
        }
        return list;
    }

    private static double Price(TierSlot[] slots, int[] units)
    {
        double p = 0;
        for (var i = 0; i < slots.Length; i++)
        {
            p += slots[i].Price * units[i];
        }
        return p;
    }

    private ScalingDecision Finish(Plan p, DateTimeOffset now)
    {
        var r = p.Request;
        if (p.Slots is null || p.Existing is null || p.Target is null)
        {
            return new ScalingDecision
            {
                Tenant = r.Tenant, Component = r.Component ?? "", At = now, Outcome = ScalingOutcome.Invalid, Act = false,
                Current = r.Current ?? new Dictionary<string, int>(), Target = r.Current ?? new Dictionary<string, int>(), Reason = p.Why,
            };
        }
        var slots = p.Slots;
        var actions = new List<ScalingAction>();
        var applied = (int[])p.Existing.Clone();
        var next = now + (r.DecisionInterval ?? options.DecisionInterval);
        for (var i = 0; i < slots.Length; i++)
        {
            if (p.Target[i] == p.Existing[i])
            {
                continue;
            }
            if (p.Target[i] > p.Existing[i])
            {
                var requestAt = p.NeededAt - slots[i].Lead;
                var deferred = requestAt > next;
                actions.Add(new ScalingAction(slots[i].Key, p.Existing[i], p.Target[i], p.NeededAt, requestAt < now ? now : requestAt, deferred));
                if (!deferred)
                {
                    applied[i] = p.Target[i];
                }
            }
            else
            {
                actions.Add(new ScalingAction(slots[i].Key, p.Existing[i], p.Target[i], now, now, false));
                applied[i] = p.Target[i];
            }
        }
        var late = actions.Where(a => a.Delta > 0 && !a.Deferred && a.NeededAt - (pool.Find(a.Tier)?.ProvisioningLeadTime ?? TimeSpan.Zero) < now).Select(a => a.Tier).ToList();
        var why = p.Why + (late.Count > 0 ? $" Too late for the lead time of {string.Join(", ", late)}: capacity arrives after it is needed." : "");
        var deferredCount = actions.Count(a => a.Deferred);
        if (deferredCount > 0)
        {
            why += string.Create(CultureInfo.InvariantCulture, $" {deferredCount} tier request(s) deferred until their lead time requires them.");
        }
        var expected = 0.0;
        for (var i = 0; i < slots.Length; i++)
        {
            expected += slots[i].ExpectedCost * applied[i];
        }
        var cover = CoverModel.Probability(slots, applied, p.Demand);
        expected += (1 - cover) * options.SloBreachCostPerHour;
        var act = options.Mode != ScalingMode.ForecastOnly && actions.Count > 0;
        if (options.Mode == ScalingMode.ForecastOnly && actions.Count > 0)
        {
            why += " Forecast-only mode: logged, not executed.";
        }
        return new ScalingDecision
        {
            Tenant = r.Tenant,
            Component = r.Component,
            At = now,
            Outcome = p.Outcome,
            Act = act,
            Quantile = p.Quantile,
            Availability = p.Availability,
            RequiredDemand = p.Demand,
            PeakAt = p.PeakAt,
            WindowEnd = p.WindowEnd,
            Current = ToMap(slots, p.Existing),
            Target = ToMap(slots, applied),
            Actions = actions,
            CoverProbability = cover,
            CurrentCostPerHour = Price(slots, p.Existing),
            TargetCostPerHour = Price(slots, applied),
            ExpectedCostPerHour = expected,
            BudgetLimited = p.BudgetLimited,
            Reason = why,
        };
    }

    private static Dictionary<string, int> ToMap(TierSlot[] slots, int[] units)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < slots.Length; i++)
        {
            if (units[i] > 0)
            {
                map[slots[i].Key] = units[i];
            }
        }
        return map;
    }
}
