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
    private readonly CapacityColumns _capacity;
    private readonly RiskAssessor _risk;
    private readonly Lock _cacheLock = new();
    private ((int Localities, int Failures, DateTimeOffset LastFailure, DateTimeOffset Hour, DateTimeOffset Since) Key, FailureRateModel Model)? _cache;

    /// <summary>Called with a stage name as each stage of a pass ends (benchmark instrumentation; null in the product).</summary>
    internal Action<string>? Checkpoint { get; set; }

    /// <summary>Creates a scorer.</summary>
    public LocalityScorer(ScoringOptions? options = null)
    {
        _options = options ?? new ScoringOptions();
        _options.Validate();
        _capacity = new CapacityColumns(_options);
        _risk = new RiskAssessor(_options);
    }

    /// <summary>Scores every locality with at least one forecast of a capacity resource under it.</summary>
    public IReadOnlyList<LocalityScore> Score(Topology topology, IReadOnlyList<HostForecast> forecasts, DateTimeOffset at, ScoringContext? context = null) =>
        Assess(topology, forecasts, at, context).Scores;

    /// <summary>Scores every locality with at least one forecast of a capacity resource under it.</summary>
    public IReadOnlyList<LocalityScore> Score(Topology topology, ForecastColumns forecasts, DateTimeOffset at, ScoringContext? context = null) =>
        Assess(topology, forecasts, at, context).Scores;

    /// <summary>Scores localities and components, returning every part's inputs alongside the scores.</summary>
    public ScoringReport Assess(Topology topology, IReadOnlyList<HostForecast> forecasts, DateTimeOffset at, ScoringContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(forecasts);
        return Assess(topology, ForecastColumns.From(forecasts), at, context);
    }

    /// <summary>
    /// Scores localities and components from columnar forecasts. The numbers of every part are computed in the pass;
    /// the explanations (<see cref="ScorePart.Explanation"/>) and the records behind each score
    /// (<see cref="ScoringReport.Details"/>) are written when first read, from those numbers, with the same text and
    /// values as if written in the pass.
    /// </summary>
    public ScoringReport Assess(Topology topology, ForecastColumns forecasts, DateTimeOffset at, ScoringContext? context = null)
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
        var placement = forecasts.PlaceOn(index);
        CapacityRows capacity;
        lock (_capacity)
        {
            capacity = _capacity.Compute(index, forecasts, at);
        }
        var n = index.Localities.Length;
        var scored = new List<int>(n);
        for (var li = 0; li < n; li++)
        {
            if (capacity.Has(li))
            {
                scored.Add(li);
            }
        }
        Checkpoint?.Invoke("capacity");
        var (temperature, hasTemperature) = TemperatureForecasts(forecasts, placement, n);

        // Failure risk for every locality (components need hosts without forecasts too).
        var failures = context.ExtraFailures.Count == 0 ? topology.Failures : [.. topology.Failures, .. context.ExtraFailures];
        var since = context.FailuresObservedSince
            ?? (failures.Count > 0 ? failures.Min(f => f.At) : at - _options.DefaultObservationWindow);
        var model = context.FailureModel ?? ModelFor(topology, failures, since, at);
        HostCovariates Covariates(int li, string host) => new(
            hasTemperature[li] ? temperature[li] : context.Temperatures?.TryGetValue(host, out var t2) == true ? t2 : null,
            capacity.Has(li) ? capacity.Max(li, probability: false) : null,
            context.AnomalyScores?.TryGetValue(host, out var a) == true ? a : null);
        // Without any evidence (no failure record, model, maintenance window, temperature or anomaly input) a failure
        // probability would be a made-up prior: the risk part is then left out rather than shown as if known.
        var hasRiskEvidence = failures.Count > 0 || context.FailureModel is not null || topology.Maintenance.Count > 0
            || placement.AnyTemperature || context.Temperatures is { Count: > 0 } || context.AnomalyScores is { Count: > 0 };
        var risk = hasRiskEvidence ? _risk.Accumulate(index, model, Covariates, at) : null;
        Checkpoint?.Invoke("temperature+model+risk");
        var cost = CostCalculator.Normalise(index, CostCalculator.PriceHosts(index, forecasts, placement, context, at), scored);
        Checkpoint?.Invoke("cost");
        var latency = context.Latency ?? LatencyMatrix.DefaultsOnly;
        // Proximity depends only on the topology, the latency matrix and the options: computed once for every
        // locality and reused while those objects stay the same.
        var proximity = index.ProximityUnder(latency, _options,
            () => ProximityCalculator.Compute(topology, latency, _options, topology.Localities.Select(l => l.Id).ToList()));
        Checkpoint?.Invoke("proximity");
        var costRange = new Dictionary<LocalityKind, (double Min, double Max)>();
        foreach (var li in cost.Order)
        {
            var kind = index.Localities[li].Kind;
            var c = cost.PerCoreHour(li);
            // Enumerable.Min/Max semantics: a NaN is kept once seen (Min) or skipped (Max).
            costRange[kind] = costRange.TryGetValue(kind, out var r)
                ? (double.IsNaN(r.Min) ? r.Min : c < r.Min || double.IsNaN(c) ? c : r.Min,
                   double.IsNaN(r.Max) || c > r.Max ? c : r.Max)
                : (c, c);
        }

        // Health Projection Scores need only the risk and capacity results.
        var components = topology.Components.Count == 0 ? [] : HealthCalculator.Compute(topology, failures, since, at,
            h => risk is not null && index.Position.TryGetValue(h, out var li) && risk.Aggs[li].Count > 0 ? risk.Probability(li) : null,
            h => index.Position.TryGetValue(h, out var li) && capacity.Has(li) ? capacity.Max(li, probability: true) : null,
            _options);
        Checkpoint?.Invoke("hps");
        var explainer = new PassExplainer(index, _options, scored, capacity, risk, cost, proximity, costRange);
        var scores = new LocalityScore[scored.Count];
        for (var i = 0; i < scored.Count; i++)
        {
            var li = scored[i];
            var id = index.Localities[li].Id;
            var parts = new PartMap(
                ScorePart.Deferred(capacity.Rows[capacity.Tightest(li)].Value, w.Capacity, explainer, i * 4),
                risk is not null && risk.Aggs[li].Count > 0 ? ScorePart.Deferred(risk.Value(li), w.Risk, explainer, i * 4 + 1) : null,
                cost.Has(li) ? ScorePart.Deferred(cost.Value(li), w.Cost, explainer, i * 4 + 2) : null,
                proximity.GetValueOrDefault(id) is { } p ? ScorePart.Deferred(p.Value, w.Network, explainer, i * 4 + 3) : null);
            scores[i] = new LocalityScore(id, at, Combine(parts), parts);
        }
        Checkpoint?.Invoke("scores");
        return new ScoringReport(at, weights, scores, explainer, components);
    }

    // Writes the parts' explanations and the detail records on demand, from the pass's numbers.
    private sealed class PassExplainer(FleetIndex index, ScoringOptions options, List<int> scored, CapacityRows capacity,
        RiskAssessor.RiskRows? risk, CostCalculator.CostRows cost, Dictionary<string, ProximityEstimate> proximity,
        Dictionary<LocalityKind, (double Min, double Max)> costRange) : IScoreExplainer, IReadOnlyDictionary<string, LocalityDetail>
    {
        private readonly LocalityDetail?[] _details = new LocalityDetail?[scored.Count];
        private Dictionary<string, int>? _byId;

        public string Explain(int key)
        {
            var li = scored[key >> 2];
            var loc = index.Localities[li];
            switch (key & 3)
            {
                case 0:
                    return Capacity(capacity.Record(loc.Id, capacity.Tightest(li)), loc);
                case 1:
                {
                    var r = risk!.Record(loc.Id, li);
                    return string.Create(CultureInfo.InvariantCulture,
                        $"P(failure within {r.Horizon.TotalHours:0.#} h) = {Probability(r.Probability)}{(r.Hosts > 1 ? $" (mean over {r.Hosts} hosts)" : "")}; ≥ {options.IntolerableRisk:0.##} scores 0. ")
                        + string.Join("; ", r.Reasons);
                }
                case 2:
                {
                    var c = cost.Record(loc.Id, li);
                    var range = costRange[loc.Kind];
                    return string.Create(CultureInfo.InvariantCulture,
                        $"{c.PerCoreHour:0.#####} per core-hour ({c.InstancePerHour:0.####}/h instances + {c.EnergyPerHour:0.####}/h energy over {c.HostsPriced} host(s); {string.Join(", ", c.Sources)}); {loc.KindName}s range {range.Min:0.#####}–{range.Max:0.#####}, cheapest scores 1");
                }
                default:
                {
                    var p = proximity[loc.Id];
                    return string.Create(CultureInfo.InvariantCulture,
                        $"mean latency {p.MeanLatencyMs:0.###} ms per call to {(p.OwnWorkloads ? "what its workloads call" : "where the fleet's traffic is (no workloads of its own)")}; {options.ReferenceLatencyMs:0.###} ms scores 0.5");
                }
            }
        }

        private string Capacity(CapacityExhaustion w, Locality loc)
        {
            var scope = loc.Kind == LocalityKind.Host ? "" : $" summed over {w.Hosts} host(s)";
            var likely = w.LikelyExhaustedBy is { } t ? string.Create(CultureInfo.InvariantCulture, $", likely exhausted by {t:yyyy-MM-ddTHH:mmZ}") : "";
            return string.Create(CultureInfo.InvariantCulture,
                $"{w.Resource.Key()} is the tightest resource: predicted p{w.Quantile * 100:0} peak {Format(w.PeakQuantile, w.Resource)} of {Format(w.Capacity, w.Resource)}{scope} at {w.PeakAt:yyyy-MM-ddTHH:mmZ}, headroom {w.Headroom * 100:0.#}% (≥ {options.ComfortableHeadroom * 100:0}% scores 1); P(reaching capacity within {Hours(w.Horizon)}) = {Percent(w.ProbabilityWithinHorizon)}, expected time to exhaustion {Hours(w.ExpectedTimeToExhaustion)} (capped at the horizon){likely}");
        }

        private LocalityDetail Detail(int i)
        {
            if (_details[i] is { } d)
            {
                return d;
            }
            var li = scored[i];
            var loc = index.Localities[li];
            d = new LocalityDetail(loc.Id, loc.Kind, capacity.Records(loc.Id, li),
                risk is not null && risk.Aggs[li].Count > 0 ? risk.Record(loc.Id, li) : null,
                cost.Has(li) ? cost.Record(loc.Id, li) : null,
                proximity.GetValueOrDefault(loc.Id));
            _details[i] = d;
            return d;
        }

        private Dictionary<string, int> ById()
        {
            if (Volatile.Read(ref _byId) is { } byId)
            {
                return byId;
            }
            byId = new Dictionary<string, int>(scored.Count, StringComparer.Ordinal);
            for (var i = 0; i < scored.Count; i++)
            {
                byId[index.Localities[scored[i]].Id] = i;
            }
            Volatile.Write(ref _byId, byId);
            return byId;
        }

        public LocalityDetail this[string key] => ById().TryGetValue(key, out var i) ? Detail(i) : throw new KeyNotFoundException($"No scored locality '{key}'.");

        public IEnumerable<string> Keys => scored.Select(li => index.Localities[li].Id);

        public IEnumerable<LocalityDetail> Values => Enumerable.Range(0, scored.Count).Select(Detail);

        public int Count => scored.Count;

        public bool ContainsKey(string key) => ById().ContainsKey(key);

        public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out LocalityDetail value)
        {
            if (ById().TryGetValue(key, out var i))
            {
                value = Detail(i);
                return true;
            }
            value = null;
            return false;
        }

        public IEnumerator<KeyValuePair<string, LocalityDetail>> GetEnumerator()
        {
            for (var i = 0; i < scored.Count; i++)
            {
                yield return new(index.Localities[scored[i]].Id, Detail(i));
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
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

    // Forecast.MaxQuantile at the scoring quantile of each host's temperature series (the same search and arithmetic).
    private (double[] Value, bool[] Has) TemperatureForecasts(ForecastColumns forecasts, ForecastColumns.Placement placement, int n)
    {
        var value = new double[n];
        var has = new bool[n];
        var level = _options.Quantile;
        for (var li = 0; li < n; li++)
        {
            var (c, s) = placement.TemperatureOf[li];
            if (c < 0)
            {
                continue;
            }
            var col = forecasts.Columns[c];
            var levels = col.LevelArray;
            var width = levels.Length;
            var q = col.QuantileArray;
            var max = double.NegativeInfinity;
            for (var r = col.OffsetArray[s]; r < col.OffsetArray[s + 1]; r++)
            {
                var row = new ReadOnlySpan<double>(q, r * width, width);
                var v = row[^1];
                if (level <= levels[0])
                {
                    v = row[0];
                }
                else
                {
                    for (var i = 1; i < width; i++)
                    {
                        if (level <= levels[i])
                        {
                            var t = (level - levels[i - 1]) / (levels[i] - levels[i - 1]);
                            v = row[i - 1] + t * (row[i] - row[i - 1]);
                            break;
                        }
                    }
                }
                max = Math.Max(max, v);
            }
            value[li] = max;
            has[li] = true;
        }
        return (value, has);
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
