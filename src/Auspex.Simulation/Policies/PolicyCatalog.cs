namespace Auspex.Simulation.Policies;

/// <summary>The policies <c>auspex simulate --policies</c> accepts, by name.</summary>
public static class PolicyCatalog
{
    /// <summary>Accepted names with what they are.</summary>
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["hpa"] = "Kubernetes HPA: ratio rule, 10% tolerance, 5-min scale-down stabilisation, +100%/+4 pods per 15 s, target 70%",
        ["static"] = "static provisioning for the trace's peak at 70% (hindsight sizing)",
        ["aws"] = "AWS predictive scaling: hourly forecast 48 h ahead every 6 h, scale-out only, 300 s buffer, with target tracking for scale-in",
        ["auspex"] = "Auspex: forecast quantiles over the lead time, sized for the SLO by the queueing model, base on on-demand and burst on spot",
        ["auspex-1tier"] = "Auspex on one tier only (the first), to compare with the reactive policies on equal prices",
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
            _ => null,
        };
    }
}
