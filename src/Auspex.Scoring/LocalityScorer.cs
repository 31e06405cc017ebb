using System.Globalization;
using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Scores;
using Auspex.Core.Topology;
using Auspex.Scoring.Internal;

namespace Auspex.Scoring;

/// <summary>A host's forecast of one resource.</summary>
public sealed record HostForecast(string Host, ResourceKind Resource, Forecast Forecast);

/// <summary>
/// Scores every locality of a topology: desirability = Σ wᵢ·partᵢ / Σ wᵢ over the parts present, each part normalised
/// to 0–1 with 1 desirable, through <see cref="ScoreNormalizer"/>:
/// <list type="bullet">
/// <item><c>capacity</c>: the Capacity Exhaustion Score of the tightest resource (<see cref="CapacityExhaustion"/>).</item>
/// <item><c>risk</c>: 1 − failure probability within the risk horizon, scaled (<see cref="FailureRisk"/>).</item>
/// <item><c>cost</c>: price per core-hour, cheapest of its level = 1 (<see cref="CostEstimate"/>).</item>
/// <item><c>proximity</c>: latency to what its workloads call (<see cref="ProximityEstimate"/>).</item>
/// </list>
/// Weights come from the topology's policy at the scoring time (its schedule), the network weight driving
/// <c>proximity</c>. A locality is scored when at least one host under it has a forecast of a capacity resource. A part
/// without inputs (no prices, no dependency traffic, no failure evidence at all) is left out, not guessed.
/// </summary>
public sealed class LocalityScorer
{
    private readonly ScoringOptions _options;
    private readonly CapacityCalculator _capacity;
    private readonly RiskAssessor _risk;
    private readonly Lock _cacheLock = new();
    private ((int Localities, int Failures, DateTimeOffset LastFailure, DateTimeOffset Hour, DateTimeOffset Since) Key, FailureRateModel Model)? _cache;

    /// <summary>Creates a scorer.</summary>
    public LocalityScorer(ScoringOptions? options = null)
    {
        _options = options ?? new ScoringOptions();
        _options.Validate();
        _capacity = new CapacityCalculator(_options);
        _risk = new RiskAssessor(_options);
    }

    /// <summary>Scores every locality with at least one forecast of a capacity resource under it.</summary>
    public IReadOnlyList<LocalityScore> Score(Topology topology, IReadOnlyList<HostForecast> forecasts, DateTimeOffset at, ScoringContext? context = null) =>
        Assess(topology, forecasts, at, context).Scores;

    /// <summary>Scores localities and components, returning every part's inputs alongside the scores.</summary>
    public ScoringReport Assess(Topology topology, IReadOnlyList<HostForecast> forecasts, DateTimeOffset at, ScoringContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(forecasts);
        context ??= ScoringContext.Empty;
        var w = topology.Policy.WeightsAt(at);
        var weights = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["capacity"] = w.Capacity, ["risk"] = w.Risk, ["cost"] = w.Cost, ["proximity"] = w.Network,
        };
        var index = FleetIndex.For(topology);
        // Host prices (the tariff over every power forecast step) and temperatures do not depend on capacity: they are
        // computed on another core meanwhile.
        var hostPrices = Task.Run(() => CostCalculator.PriceHosts(index, forecasts, context, at));
        var temperatures = Task.Run(() => TemperatureForecasts(forecasts));
        Dictionary<string, List<CapacityExhaustion>> capacity;
        lock (_capacity)
        {
            capacity = _capacity.Compute(index, forecasts, at);
        }
        var scored = new List<string>(capacity.Count);
        foreach (var l in index.Localities)
        {
            if (capacity.ContainsKey(l.Id))
            {
                scored.Add(l.Id);
            }
        }

        // Failure risk for every locality (components need hosts without forecasts too).
        var failures = context.ExtraFailures.Count == 0 ? topology.Failures : [.. topology.Failures, .. context.ExtraFailures];
        var since = context.FailuresObservedSince
            ?? (failures.Count > 0 ? failures.Min(f => f.At) : at - _options.DefaultObservationWindow);
        var model = context.FailureModel ?? ModelFor(topology, failures, since, at);
        var temps = temperatures.GetAwaiter().GetResult();
        HostCovariates Covariates(int _, string host) => new(
            temps.TryGetValue(host, out var t) ? t : context.Temperatures?.TryGetValue(host, out var t2) == true ? t2 : null,
            capacity.TryGetValue(host, out var caps) && caps.Count > 0 ? Max(caps, c => c.PeakQuantile / c.Capacity) : null,
            context.AnomalyScores?.TryGetValue(host, out var a) == true ? a : null);
        // Without any evidence (no failure record, model, maintenance window, temperature or anomaly input) a failure
        // probability would be a made-up prior: the risk part is then left out rather than shown as if known.
        var hasRiskEvidence = failures.Count > 0 || context.FailureModel is not null || topology.Maintenance.Count > 0
            || temps.Count > 0 || context.Temperatures is { Count: > 0 } || context.AnomalyScores is { Count: > 0 };
        var risk = hasRiskEvidence
            ? _risk.Compute(index, model, Covariates, at)
            : new Dictionary<string, FailureRisk>(StringComparer.Ordinal);
        var cost = CostCalculator.Normalise(index, hostPrices.GetAwaiter().GetResult(), scored);
        var latency = context.Latency ?? LatencyMatrix.DefaultsOnly;
        // Proximity depends only on the topology, the latency matrix and the options: computed once for every
        // locality and reused while those objects stay the same.
        var proximity = index.ProximityUnder(latency, _options,
            () => ProximityCalculator.Compute(topology, latency, _options, topology.Localities.Select(l => l.Id).ToList()));
        var costRange = new Dictionary<LocalityKind, (double Min, double Max)>();
        foreach (var c in cost.Values)
        {
            var kind = index.Localities[index.Position[c.Locality]].Kind;
            // Enumerable.Min/Max semantics: a NaN is kept once seen (Min) or skipped (Max).
            costRange[kind] = costRange.TryGetValue(kind, out var r)
                ? (double.IsNaN(r.Min) ? r.Min : c.PerCoreHour < r.Min || double.IsNaN(c.PerCoreHour) ? c.PerCoreHour : r.Min,
                   double.IsNaN(r.Max) || c.PerCoreHour > r.Max ? c.PerCoreHour : r.Max)
                : (c.PerCoreHour, c.PerCoreHour);
        }

        // Health Projection Scores need only the risk and capacity results: computed alongside the parts.
        var components = topology.Components.Count == 0 ? Task.FromResult(new List<ComponentHealth>()) : Task.Run(() => HealthCalculator.Compute(topology, failures, since, at,
            h => risk.TryGetValue(h, out var hr) ? hr.Probability : null,
            h => capacity.TryGetValue(h, out var hc) && hc.Count > 0 ? Max(hc, x => x.ProbabilityWithinHorizon) : null,
            _options));
        var scores = new LocalityScore[scored.Count];
        var detailRows = new LocalityDetail[scored.Count];
        // The parts and their explanations (most of a pass's work) are built in parallel chunks; each locality's
        // result is independent of the others and lands at its own position, so the output does not depend on it.
        Parallel.For(0, (scored.Count + ChunkSize - 1) / ChunkSize, chunk =>
        {
            var end = Math.Min(scored.Count, (chunk + 1) * ChunkSize);
            for (var i = chunk * ChunkSize; i < end; i++)
            {
                var id = scored[i];
                var loc = index.Localities[index.Position[id]];
                var caps = capacity[id];
                var parts = new Dictionary<string, ScorePart>(4, StringComparer.Ordinal)
                {
                    ["capacity"] = new(CapacityValue(caps, out var tight), w.Capacity, Explain(tight, loc)),
                };
                var r = risk.GetValueOrDefault(id);
                if (r is not null)
                {
                    parts["risk"] = new(r.Value, w.Risk, string.Create(CultureInfo.InvariantCulture,
                        $"P(failure within {r.Horizon.TotalHours:0.#} h) = {Probability(r.Probability)}{(r.Hosts > 1 ? $" (mean over {r.Hosts} hosts)" : "")}; ≥ {_options.IntolerableRisk:0.##} scores 0. ")
                        + string.Join("; ", r.Reasons));
                }
                var c = cost.GetValueOrDefault(id);
                if (c is not null)
                {
                    var range = costRange[loc.Kind];
                    parts["cost"] = new(c.Value, w.Cost, string.Create(CultureInfo.InvariantCulture,
                        $"{c.PerCoreHour:0.#####} per core-hour ({c.InstancePerHour:0.####}/h instances + {c.EnergyPerHour:0.####}/h energy over {c.HostsPriced} host(s); {string.Join(", ", c.Sources)}); {loc.KindName}s range {range.Min:0.#####}–{range.Max:0.#####}, cheapest scores 1"));
                }
                var p = proximity.GetValueOrDefault(id);
                if (p is not null)
                {
                    parts["proximity"] = new(p.Value, w.Network, string.Create(CultureInfo.InvariantCulture,
                        $"mean latency {p.MeanLatencyMs:0.###} ms per call to {(p.OwnWorkloads ? "what its workloads call" : "where the fleet's traffic is (no workloads of its own)")}; {_options.ReferenceLatencyMs:0.###} ms scores 0.5"));
                }
                scores[i] = new LocalityScore(id, at, Combine(parts), parts);
                detailRows[i] = new LocalityDetail(id, loc.Kind, caps, r, c, p);
            }
        });
        var details = new Dictionary<string, LocalityDetail>(scored.Count, StringComparer.Ordinal);
        foreach (var d in detailRows)
        {
            details[d.Locality] = d;
        }

        return new ScoringReport(at, weights, scores, details, components.GetAwaiter().GetResult());
    }

    private const int ChunkSize = 512;

    // Enumerable.Max(selector) for doubles without the enumerator: leading NaNs are skipped, later ones ignored.
    private static double Max(List<CapacityExhaustion> list, Func<CapacityExhaustion, double> selector)
    {
        var i = 0;
        var value = selector(list[0]);
        while (double.IsNaN(value) && ++i < list.Count)
        {
            value = selector(list[i]);
        }
        for (i++; i < list.Count; i++)
        {
            var x = selector(list[i]);
            if (x > value)
            {
                value = x;
            }
        }
        return value;
    }

    /// <summary>Σ weightᵢ · partᵢ / Σ weightᵢ over the present parts; 0–1 (the plain mean when every weight is 0).</summary>
    public static double Combine(IReadOnlyDictionary<string, ScorePart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        // ScoreNormalizer.WeightedMean without the enumerable of tuples (the same arithmetic in the same order).
        double sw = 0, swv = 0, sv = 0;
        var n = 0;
        foreach (var part in parts.Values)
        {
            var value = ScoreNormalizer.Clamp01(part.Value);
            var weight = double.IsFinite(part.Weight) && part.Weight > 0 ? part.Weight : 0;
            sw += weight;
            swv += weight * value;
            sv += value;
            n++;
        }
        return n == 0 ? 0 : sw <= 0 ? ScoreNormalizer.Clamp01(sv / n) : ScoreNormalizer.Clamp01(swv / sw);
    }

    private static double CapacityValue(List<CapacityExhaustion> caps, out CapacityExhaustion tightest)
    {
        // The first of the smallest (Value, Headroom) pairs, as a stable OrderBy.ThenBy.First gives.
        tightest = caps[0];
        for (var i = 1; i < caps.Count; i++)
        {
            var c = caps[i];
            var byValue = c.Value.CompareTo(tightest.Value);
            if (byValue < 0 || (byValue == 0 && c.Headroom.CompareTo(tightest.Headroom) < 0))
            {
                tightest = c;
            }
        }
        return tightest.Value;
    }

    private string Explain(CapacityExhaustion w, Locality loc)
    {
        var scope = loc.Kind == LocalityKind.Host ? "" : $" summed over {w.Hosts} host(s)";
        var likely = w.LikelyExhaustedBy is { } t ? string.Create(CultureInfo.InvariantCulture, $", likely exhausted by {t:yyyy-MM-ddTHH:mmZ}") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{w.Resource.Key()} is the tightest resource: predicted p{w.Quantile * 100:0} peak {Format(w.PeakQuantile, w.Resource)} of {Format(w.Capacity, w.Resource)}{scope} at {w.PeakAt:yyyy-MM-ddTHH:mmZ}, headroom {w.Headroom * 100:0.#}% (≥ {_options.ComfortableHeadroom * 100:0}% scores 1); P(reaching capacity within {Hours(w.Horizon)}) = {Percent(w.ProbabilityWithinHorizon)}, expected time to exhaustion {Hours(w.ExpectedTimeToExhaustion)} (capped at the horizon){likely}");
    }

    /// <summary>A probability that never prints a tiny non-zero value as "0": 0.0123, 0.0001, 1.4e-12.</summary>
    internal static string Probability(double p) => p > 0 && p < 0.0001
        ? p.ToString("0.#e+0", CultureInfo.InvariantCulture)
        : p.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>A probability as a percentage that never prints a tiny non-zero value as "0%": 18.79%, 0.003%, &lt; 0.001%.</summary>
    internal static string Percent(double p) => p > 0 && p < 0.00001
        ? "< 0.001%"
        : p < 0.0001 ? (p * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%" : (p * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static string Hours(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalHours:0.#} h")
        : string.Create(CultureInfo.InvariantCulture, $"{t.TotalMinutes:0} min");

    // The fitted model is reused within the hour while the fleet's size and failure record are unchanged (the loop
    // may rebuild its Topology object every tick; refitting 10,000 hosts each time would dominate the tick).
    private FailureRateModel ModelFor(Topology topology, IReadOnlyList<FailureEvent> failures, DateTimeOffset since, DateTimeOffset at)
    {
        var hour = new DateTimeOffset(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero);
        var last = failures.Count == 0 ? DateTimeOffset.MinValue : failures.Max(f => f.At);
        var key = (topology.Localities.Count, failures.Count, last, hour, since);
        lock (_cacheLock)
        {
            if (_cache is { } c && c.Key == key)
            {
                return c.Model;
            }
            var model = FailureRateModel.Fit(FailureHistory.HostExposures(topology, failures, since, at, _options.FailureHistoryHalfLife));
            _cache = (key, model);
            return model;
        }
    }

    private Dictionary<string, double> TemperatureForecasts(IReadOnlyList<HostForecast> forecasts)
    {
        var d = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var f in forecasts)
        {
            if (f.Resource == ResourceKind.Temperature && f.Forecast.Points.Count > 0)
            {
                d[f.Host] = f.Forecast.MaxQuantile(_options.Quantile);
            }
        }
        return d;
    }

    private static string Format(double v, ResourceKind kind) => kind switch
    {
        ResourceKind.Memory => string.Create(CultureInfo.InvariantCulture, $"{v / (1024 * 1024 * 1024):0.##} GiB"),
        ResourceKind.Cpu => string.Create(CultureInfo.InvariantCulture, $"{v:0.##} cores"),
        ResourceKind.NetworkIn or ResourceKind.NetworkOut or ResourceKind.StorageThroughput => string.Create(CultureInfo.InvariantCulture, $"{v / 1e6:0.##} MB/s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{v:0.##} {kind.Unit()}"),
    };

    /// <summary>Inverse of the standard normal CDF (Acklam's rational approximation, |error| &lt; 1.2e-9).</summary>
    internal static double NormalQuantile(double p) => SpecialFunctions.NormalQuantile(p);
}
