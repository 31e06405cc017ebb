namespace Auspex.Simulation.Policies;

/// <summary>The policies <c>auspex simulate --policies</c> accepts, by name.</summary>
public static class PolicyCatalog
{
    /// <summary>Accepted names with what they are.</summary>
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["hpa"] = "Kubernetes HPA: ratio rule, 10% tolerance, 5-min scale-down stabilisation, +100%/+4 pods per 15 s, target 70%; parameters hpa:target=U (0 < U <= 1):tol=T (tolerance, 0 <= T < 1):stab=M (scale-down stabilisation, minutes)",
        ["static"] = "static provisioning for the trace's peak at 70% (hindsight sizing)",
        ["aws"] = "AWS predictive scaling: hourly forecast 48 h ahead every 6 h, scale-out only, 300 s buffer, with target tracking for scale-in",
        ["auspex"] = "Auspex: forecast quantiles over the lead time, sized for the SLO by the queueing model, base on on-demand and burst on spot",
        ["auspex-1tier"] = "Auspex on one tier only (the first), to compare with the reactive policies on equal prices",
        ["auspex-guard"] = "the auspex policy (peak quantiles, growth floor) plus the reactive guard of auspex-lean; parameters in the name as for auspex-lean",
        ["auspex-vertical"] = "auspex-guard:gu=0.85 (the setting chosen in session 6) plus vertical right-sizing: the per-replica limit follows the forecast quantile over the resize lead time (in-place resize), so quiet hours run on small replicas; parameters as for auspex-lean plus vert=0/1, vstab (minutes), vspare (replicas the limits survive losing), vq, vfc, vtot, vlev, vhold, vmax (largest limit in workers: the count spreads over smaller replicas), vadd (replicas added to the count), vtier (every replica on this tier index), vgd (days of history for vq)",
        ["oracle"] = "a bound, not a deployable policy: an SLO-aware clairvoyant that knows the future load and sets, every tick, the fewest replicas and the smallest per-replica limit keeping the p99 within the SLO by the world's queue formula, within the world's launch and resize lead times; parameters oracle:tier=0|1 (tier index), safety (fraction of the SLO), stab (minutes of limit-decrease stabilisation), spare (replicas beyond the fewest, limits shared), loss=1 (limits survive losing any one replica), hold=0 (ask a limit every tick, each for one resize lead, instead of nothing while an increase is in flight: for the world's LatestSpec resize semantics)",
        ["auspex-lean"] = "Auspex with right-sized margins: forecast mean × a conformal burst buffer (0.95 quantile of its own recent misses), a reactive guard on observed overload, 2-min scale-in; parameters as auspex-lean:q=0.97:sin=1:thr=0.05:gh=1.25:gu=0.95:hold=10:tiers=1:avail=0.99:growth=0:safety=1",
    };

    /// <summary>The default set.</summary>
    public static IReadOnlyList<string> Default { get; } = ["hpa", "static", "aws", "auspex"];

    /// <summary>Creates the policy <paramref name="name"/> for a trace whose peak rate (model units) is <paramref name="peakRate"/>, or null for an unknown name.</summary>
    public static IScalingPolicy? Create(string name, double peakRate, string model = "mstl")
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            "hpa" => new HpaPolicy(),
            "static" => new StaticPolicy(peakRate),
            "aws" => new AwsPredictivePolicy(new AwsPredictiveOptions { Model = model }),
            "auspex" => new AuspexPolicy(new AuspexPolicyOptions { Model = model }),
            "auspex-1tier" => new AuspexPolicy(new AuspexPolicyOptions { Model = model, UseTiers = false }, "auspex-1tier"),
            "oracle" => new OraclePolicy(),
            _ when name.StartsWith("hpa:", StringComparison.OrdinalIgnoreCase) => Hpa(name),
            _ when name.StartsWith("oracle:", StringComparison.OrdinalIgnoreCase) => Oracle(name),
            _ when IsParameterised(name) => Lean(name, model),
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="name"/> is a catalog name or a parameterised auspex-lean / auspex-guard / auspex-vertical name (its parameters are checked by <see cref="Create"/>).</summary>
    public static bool IsKnown(string name) => name is not null && (Descriptions.ContainsKey(name) || IsParameterised(name)
        || name.StartsWith("oracle:", StringComparison.OrdinalIgnoreCase) || name.StartsWith("hpa:", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Parses <c>hpa[:key=value]...</c> (keys target (the target utilisation, 0 &lt; U ≤ 1, default 0.7), tol (the
    /// tolerance, default 0.1), stab (scale-down stabilisation in minutes, default 5)). Throws
    /// <see cref="ArgumentException"/> naming the bad part.
    /// </summary>
    private static HpaPolicy Hpa(string name)
    {
        var o = new HpaOptions();
        foreach (var (key, v, raw) in Keys(name, name.Split(':').Skip(1)))
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException($"policy {name}: '{key}={raw}' is not key=number");
            }
            o = key switch
            {
                "target" => o with { TargetUtilisation = v },
                "tol" => o with { Tolerance = v },
                "stab" when v is >= 0 and <= 60 => o with { ScaleDownStabilisation = TimeSpan.FromMinutes(v) },
                "stab" => throw new ArgumentException($"policy {name}: stab must be 0–60 minutes (Kubernetes allows at most 3600 s), got {raw}"),
                _ => throw new ArgumentException($"policy {name}: unknown key '{key}' (target, tol, stab)"),
            };
        }
        if (o.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException($"policy {name}: {string.Join("; ", errors)}");
        }
        return new HpaPolicy(o, name);
    }

    /// <summary>
    /// Parses <c>oracle[:key=value]...</c> (keys tier (the world's tier index), safety (fraction of the SLO), stab
    /// (minutes), spare (replicas), loss (0/1), hold (0/1)). Throws <see cref="ArgumentException"/> naming the bad part.
    /// </summary>
    private static OraclePolicy Oracle(string name)
    {
        var o = new OracleOptions();
        foreach (var (key, v, raw) in Keys(name, name.Split(':').Skip(1)))
        {
            o = key switch
            {
                "tier" when v == Math.Floor(v) => o with { Tier = (int)v },
                "tier" => throw new ArgumentException($"policy {name}: tier must be a whole tier index, got {raw}"),
                "safety" => o with { SloSafety = v },
                "stab" => o with { Stabilisation = TimeSpan.FromMinutes(v) },
                "spare" when v == Math.Floor(v) => o with { Spare = (int)v },
                "spare" => throw new ArgumentException($"policy {name}: spare must be a whole number of replicas, got {raw}"),
                "loss" => o with { SurviveLoss = v != 0 },
                "hold" => o with { InFlightHold = v != 0 },
                _ => throw new ArgumentException($"policy {name}: unknown key '{key}' (tier, safety, stab, spare, loss, hold)"),
            };
        }
        if (o.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException($"policy {name}: {string.Join("; ", errors)}");
        }
        return new OraclePolicy(o, name);
    }

    private static bool IsParameterised(string name) =>
        name.Split(':')[0].ToLowerInvariant() is "auspex-lean" or "auspex-guard" or "auspex-vertical";

    /// <summary>
    /// The defaults of <c>auspex-vertical</c>: <c>auspex-guard:gu=0.85</c> (chosen on the tuning parts in session 6)
    /// with vertical sizing, 5-minute stabilisation of limit decreases and no spare replica.
    /// </summary>
    public static AuspexPolicyOptions VerticalDefaults(string model = "mstl") => new()
    {
        Model = model,
        ReactiveGuard = true,
        GuardUtilisation = 0.85,
        Vertical = true,
    };

    /// <summary>
    /// The defaults of <c>auspex-lean</c>, fixed before any run on the benchmark traces: conformal sizing at the 0.95
    /// quantile over 1 day, the reactive guard (0.95 utilisation, ×1.25, 10 min), 2-minute scale-in stabilisation with
    /// 5 % hysteresis, no growth floor, SLO safety 1, tiers.
    /// </summary>
    public static AuspexPolicyOptions LeanDefaults(string model = "mstl") => new()
    {
        Model = model,
        Sizing = AuspexSizing.Conformal,
        ConformalQuantile = 0.95,
        ReactiveGuard = true,
        ScaleDownStabilisation = TimeSpan.FromMinutes(2),
        ScaleInThreshold = 0.05,
        GrowthQuantile = 0,
        SloSafety = 1,
    };

    /// <summary>
    /// Parses <c>auspex-lean[:key=value]...</c> (keys q, sin (minutes), thr, gh, gu, hold (minutes), tiers (0/1),
    /// avail, growth, safety, cal (hours), sqrt (0/1), vert (0/1), vstab (minutes), vspare (replicas), vq (vertical growth quantile), vfc (0/1), vtot (0/1), vlev (0/1), vhold (0/1), vmax (largest limit, workers),
    /// vadd (replicas added to the count), vtier (every replica on this tier index), vgd (days of growth history for vq), quantile (the
    /// forecast quantile of the peak sizing)). Throws <see cref="ArgumentException"/> naming the bad part.
    /// </summary>
    private static AuspexPolicy Lean(string name, string model)
    {
        var parts = name.Split(':');
        var o = parts[0].ToLowerInvariant() switch
        {
            "auspex-lean" => LeanDefaults(model),
            // The original policy (peak quantiles, growth floor) with the reactive guard added.
            "auspex-guard" => new AuspexPolicyOptions { Model = model, ReactiveGuard = true },
            "auspex-vertical" => VerticalDefaults(model),
            _ => throw new ArgumentException($"unknown policy {name}"),
        };
        foreach (var (key, v, raw) in Keys(name, parts.Skip(1)))
        {
            o = key switch
            {
                "q" => o with { ConformalQuantile = v },
                "sin" => o with { ScaleDownStabilisation = TimeSpan.FromMinutes(v) },
                "thr" => o with { ScaleInThreshold = v },
                "gh" => o with { GuardHeadroom = v },
                "gu" => o with { GuardUtilisation = v },
                "hold" => o with { GuardHold = TimeSpan.FromMinutes(v) },
                "tiers" => o with { UseTiers = v != 0 },
                "guard" => o with { ReactiveGuard = v != 0 },
                "avail" => o with { Availability = v },
                "growth" => o with { GrowthQuantile = v },
                "safety" => o with { SloSafety = v },
                "cal" => o with { CalibrationWindow = TimeSpan.FromHours(v) },
                "sqrt" => o with { SqrtScore = v != 0 },
                "vert" => o with { Vertical = v != 0 },
                "vstab" => o with { VerticalStabilisation = TimeSpan.FromMinutes(v) },
                "vspare" => o with { VerticalSpare = (int)v },
                "vq" => o with { VerticalGrowthQuantile = v },
                "vfc" => o with { VerticalForecast = v != 0 },
                "vtot" => o with { VerticalStabiliseTotal = v != 0 },
                "vlev" => o with { VerticalGrowthByLevel = v != 0 },
                "vhold" => o with { VerticalInFlightHold = v != 0 },
                "vmax" => o with { VerticalMaxWorkers = v },
                "vadd" when v == Math.Floor(v) => o with { VerticalExtraReplicas = (int)v },
                "vadd" => throw new ArgumentException($"policy {name}: vadd must be a whole number of replicas, got {raw}"),
                "vtier" when v == Math.Floor(v) => o with { OnlyTier = (int)v },
                "vtier" => throw new ArgumentException($"policy {name}: vtier must be a whole tier index, got {raw}"),
                "vgd" when v > 0 && v <= 365 => o with { VerticalGrowthHistory = TimeSpan.FromDays(v) },
                "vgd" => throw new ArgumentException($"policy {name}: vgd must be a number of days in (0, 365], got {raw}"),
                "quantile" => o with { Quantile = v },
                _ => throw new ArgumentException($"policy {name}: unknown key '{key}' (q, sin, thr, gh, gu, hold, tiers, guard, avail, growth, safety, cal, sqrt, vert, vstab, vspare, vq, vfc, vtot, vlev, vhold, vmax, vadd, vtier, vgd, quantile)"),
            };
        }
        if (o.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException($"policy {name}: {string.Join("; ", errors)}");
        }
        return new AuspexPolicy(o, name);
    }

    /// <summary>
    /// The <c>key=number</c> parts of a parameterised policy name, keys lower-cased, with each value parsed and its text
    /// as written (for errors). Throws <see cref="ArgumentException"/> naming the first part that is not key=number.
    /// </summary>
    private static IEnumerable<(string Key, double Value, string Raw)> Keys(string name, IEnumerable<string> parts)
    {
        foreach (var part in parts)
        {
            var kv = part.Split('=');
            if (kv.Length != 2 || !double.TryParse(kv[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v))
            {
                throw new ArgumentException($"policy {name}: '{part}' is not key=number");
            }
            yield return (kv[0].ToLowerInvariant(), v, kv[1]);
        }
    }
}
