using System.Globalization;
using Auspex.Core.Topology;
using Auspex.Internal;
using Auspex.Orchestration.Internal;

namespace Auspex.Orchestration.Pool;

/// <summary>
/// The tiered resource pool (seed 003): every tier of every provider the installation may scale on, each a Core
/// <see cref="Tier"/> with an optional quota of units. Tiers are addressed by key <c>provider/name</c>
/// (see <see cref="TierPoolExtensions.Key"/>); several providers at once make a multi-cloud pool.
/// </summary>
public sealed class TierPool
{
    private readonly Dictionary<string, Tier> _byKey;
    private readonly Dictionary<string, int> _maxUnits;

    /// <summary>Creates a pool; throws when a tier is invalid or a key repeats (use <see cref="TryCreate"/> to get the reasons).</summary>
    public TierPool(IEnumerable<Tier> tiers, IReadOnlyDictionary<string, int>? maxUnits = null)
    {
        var (pool, errors) = Build(tiers, maxUnits);
        if (pool is null)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }
        Tiers = pool.Value.Tiers;
        _byKey = pool.Value.ByKey;
        _maxUnits = pool.Value.Max;
    }

    /// <summary>Every tier, in the order given.</summary>
    public IReadOnlyList<Tier> Tiers { get; }

    /// <summary>The distinct providers.</summary>
    public IReadOnlyList<string> Providers => Tiers.Select(t => t.Provider).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Creates a pool, or returns every problem found (invalid tier, repeated key, bad quota).</summary>
    public static (TierPool? Pool, IReadOnlyList<string> Errors) TryCreate(IEnumerable<Tier> tiers, IReadOnlyDictionary<string, int>? maxUnits = null)
    {
        var (built, errors) = Build(tiers, maxUnits);
        return built is null ? (null, errors) : (new TierPool(built.Value.Tiers, built.Value.Max), errors);
    }

    /// <summary>A pool of the tiers a topology declares (no quotas).</summary>
    public static TierPool FromTopology(Topology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        return new TierPool(topology.Tiers);
    }

    /// <summary>The tier with key <c>provider/name</c>, or null.</summary>
    public Tier? Find(string key) => _byKey.GetValueOrDefault(key);

    /// <summary>
    /// The tiers a selector names: a key (<c>aws/spot</c>), a bare tier name (<c>spot</c>: that tier at every
    /// provider), a provider followed by <c>/*</c>, or <c>*</c> for all.
    /// </summary>
    public IReadOnlyList<Tier> Match(string selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        if (selector == "*")
        {
            return Tiers;
        }
        if (selector.EndsWith("/*", StringComparison.Ordinal))
        {
            var provider = selector[..^2];
            return Tiers.Where(t => t.Provider == provider).ToList();
        }
        return _byKey.TryGetValue(selector, out var t1) ? [t1] : Tiers.Where(t => t.Name == selector).ToList();
    }

    /// <summary>The most units of the tier with this key the pool may hold, or null for no quota.</summary>
    public int? MaxUnits(string key) => _maxUnits.TryGetValue(key, out var m) ? m : null;

    private static ((IReadOnlyList<Tier> Tiers, Dictionary<string, Tier> ByKey, Dictionary<string, int> Max)? Pool, List<string> Errors) Build(
        IEnumerable<Tier> tiers, IReadOnlyDictionary<string, int>? maxUnits)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        var errors = new List<string>();
        var list = new List<Tier>();
        var byKey = new Dictionary<string, Tier>(StringComparer.Ordinal);
        foreach (var t in tiers)
        {
            if (t.Validate() is { } problem)
            {
                errors.Add(problem);
                continue;
            }
            if (string.IsNullOrWhiteSpace(t.Provider) || t.Provider.Contains('/', StringComparison.Ordinal) || t.Name.Contains('/', StringComparison.Ordinal))
            {
                errors.Add($"tier {t.Name}: provider must be non-empty and neither provider nor name may contain '/'");
                continue;
            }
            if (!byKey.TryAdd(t.Key(), t))
            {
                errors.Add($"tier {t.Key()} is declared twice");
                continue;
            }
            list.Add(t);
        }
        var max = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, m) in maxUnits ?? new Dictionary<string, int>())
        {
            if (!byKey.ContainsKey(key))
            {
                errors.Add($"quota for unknown tier {key}");
            }
            else if (m < 0)
            {
                errors.Add($"tier {key}: max_units must be ≥ 0");
            }
            else
            {
                max[key] = m;
            }
        }
        return errors.Count > 0 ? (null, errors) : ((list, byKey, max), errors);
    }

    /// <summary>
    /// Reads a tier price sheet: a CSV in the spirit of OpenCost's <c>pricing_schema.csv</c>, one row per tier and
    /// provider. Columns are matched by header name, case-insensitive, extra columns ignored:
    /// <c>provider</c>, <c>tier</c> (or <c>InstanceType</c>), <c>price_per_hour</c> (or <c>MarketPriceHourly</c>),
    /// <c>performance_factor</c> (default 1), <c>preemption_probability_per_hour</c> (default 0),
    /// <c>lead_time_seconds</c> (default 0) and <c>max_units</c> (empty: no quota). Every problem is reported with
    /// its line number; valid rows are kept.
    /// </summary>
    public static (TierPool? Pool, IReadOnlyList<string> Errors) ParseCsv(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var errors = new List<string>();
        var tiers = new List<Tier>();
        var quotas = new Dictionary<string, int>(StringComparer.Ordinal);
        Dictionary<string, int>? cols = null;
        foreach (var (line, text) in Csv.Lines(reader))
        {
            if (text.TrimStart().StartsWith('#'))
            {
                continue;
            }
            var f = Csv.Split(text);
            if (cols is null)
            {
                cols = f.Select((name, i) => (name: name.Trim(), i)).GroupBy(x => x.name, StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => g.First().i, StringComparer.OrdinalIgnoreCase);
                if (!Has(cols, "tier", "InstanceType") || !Has(cols, "price_per_hour", "MarketPriceHourly"))
                {
                    return (null, [$"line {line}: header needs a tier (or InstanceType) and a price_per_hour (or MarketPriceHourly) column"]);
                }
                continue;
            }
            string Get(params string[] names)
            {
                foreach (var n in names)
                {
                    if (cols.TryGetValue(n, out var i) && i < f.Count)
                    {
                        return f[i].Trim();
                    }
                }
                return "";
            }
            var name = Get("tier", "InstanceType");
            var provider = Get("provider");
            if (name.Length == 0)
            {
                errors.Add($"line {line}: tier is empty");
                continue;
            }
            if (!Number(Get("price_per_hour", "MarketPriceHourly"), null, out var price) || price < 0)
            {
                errors.Add($"line {line}: price_per_hour '{Get("price_per_hour", "MarketPriceHourly")}' is not a non-negative number");
                continue;
            }
            if (!Number(Get("performance_factor"), 1, out var perf) || perf <= 0)
            {
                errors.Add($"line {line}: performance_factor '{Get("performance_factor")}' is not a number > 0");
                continue;
            }
            if (!Number(Get("preemption_probability_per_hour"), 0, out var pre) || pre is < 0 or > 1)
            {
                errors.Add($"line {line}: preemption_probability_per_hour '{Get("preemption_probability_per_hour")}' is not in [0, 1]");
                continue;
            }
            if (!Number(Get("lead_time_seconds"), 0, out var lead) || lead < 0 || lead > TimeSpan.FromDays(7).TotalSeconds)
            {
                errors.Add($"line {line}: lead_time_seconds '{Get("lead_time_seconds")}' is not a number of seconds in [0, 604800]");
                continue;
            }
            var tier = new Tier(name, provider.Length == 0 ? "default" : provider, price, perf, pre, TimeSpan.FromSeconds(lead));
            if (tier.Validate() is { } problem)
            {
                errors.Add($"line {line}: {problem}");
                continue;
            }
            if (tiers.Any(t => t.Key() == tier.Key()))
            {
                errors.Add($"line {line}: tier {tier.Key()} is declared twice");
                continue;
            }
            var maxText = Get("max_units");
            if (maxText.Length > 0)
            {
                if (!int.TryParse(maxText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) || m < 0)
                {
                    errors.Add($"line {line}: max_units '{maxText}' is not a whole number ≥ 0");
                    continue;
                }
                quotas[tier.Key()] = m;
            }
            tiers.Add(tier);
        }
        if (cols is null)
        {
            return (null, ["the price sheet is empty"]);
        }
        var (pool, more) = TryCreate(tiers, quotas);
        errors.AddRange(more);
        return (pool, errors);
    }

    private static bool Has(Dictionary<string, int> cols, string a, string b) => cols.ContainsKey(a) || cols.ContainsKey(b);

    private static bool Number(string text, double? fallback, out double value)
    {
        if (text.Length == 0 && fallback is { } f)
        {
            value = f;
            return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }
}

/// <summary>Helpers on Core's <see cref="Tier"/> for the pool.</summary>
public static class TierPoolExtensions
{
    /// <summary>The tier's key in a pool: <c>provider/name</c>.</summary>
    public static string Key(this Tier tier)
    {
        ArgumentNullException.ThrowIfNull(tier);
        return tier.Provider + "/" + tier.Name;
    }

    /// <summary>
    /// The chance a unit of this tier survives <paramref name="window"/> without being preempted, with preemptions
    /// independent hour to hour: (1 − p)^(hours).
    /// </summary>
    public static double SurvivalProbability(this Tier tier, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(tier);
        return tier.PreemptionProbabilityPerHour <= 0 ? 1 : Math.Pow(1 - tier.PreemptionProbabilityPerHour, Math.Max(0, window.TotalHours));
    }
}
