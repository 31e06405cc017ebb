using Auspex.Orchestration.Execution;
using Auspex.Orchestration.Scaling;

namespace Auspex.Engine.Configuration;

/// <summary>The executor names <c>orchestration.executor</c> accepts.</summary>
public static class ExecutorNames
{
    /// <summary>The in-memory cluster (the embedded default).</summary>
    public const string Simulated = "simulated";

    /// <summary>The Kubernetes API (through the official client; hosted by <c>auspex serve</c>).</summary>
    public const string Kubernetes = "kubernetes";

    /// <summary>Terraform variables JSON and terraform plan/apply.</summary>
    public const string Terraform = "terraform";

    /// <summary>Signed webhooks.</summary>
    public const string Webhook = "webhook";

    /// <summary>Every name, in the order the docs list them.</summary>
    public static IReadOnlyList<string> All { get; } = [Simulated, Kubernetes, Terraform, Webhook];
}

/// <summary>The Kubernetes executor's settings as configured (the host maps them to the executor's options).</summary>
public sealed class KubernetesSettings
{
    /// <summary>API server URL, or null for the in-cluster service account, else the kubeconfig.</summary>
    public Uri? Server { get; set; }

    /// <summary>Namespace of the workloads. Default "default".</summary>
    public string Namespace { get; set; } = "default";

    /// <summary>Workload name template (<c>{component}</c>, <c>{tier}</c>). Default <c>{component}-{tier}</c>.</summary>
    public string WorkloadName { get; set; } = "{component}-{tier}";

    /// <summary>Most evictions per drain. Default 500.</summary>
    public int MaxEvictionsPerDrain { get; set; } = 500;
}

/// <summary>What the scaling stage of the loop does with its decisions.</summary>
public enum ScalingStageMode
{
    /// <summary>No scaling stage.</summary>
    Off,
    /// <summary>Decide and record every tick; execute nothing (the default for <c>auspex serve</c>).</summary>
    ForecastOnly,
    /// <summary>Decide, record and execute scale-outs; never scale in.</summary>
    ScaleOutOnly,
    /// <summary>Decide, record and execute scale-outs and scale-ins (the demo).</summary>
    Full,
}

/// <summary>The loop's scaling stage (<c>orchestration.scaling</c>).</summary>
public sealed class ScalingStageSettings
{
    /// <summary>Mode. Default <see cref="ScalingStageMode.ForecastOnly"/>: decisions are logged, not executed, until you switch it.</summary>
    public ScalingStageMode Mode { get; set; } = ScalingStageMode.ForecastOnly;

    /// <summary>Price sheet CSV whose tiers join the topology's (docs/orchestration.md, "Price sheets"), or null.</summary>
    public string? PricingFile { get; set; }

    /// <summary>Forecast quantile for components without an SLO. Default 0.95.</summary>
    public double Quantile { get; set; } = 0.95;

    /// <summary>SLA availability under preemptions. Default 0.99.</summary>
    public double Availability { get; set; } = 0.99;

    /// <summary>
    /// Fraction of a replica's CPU request it may use before another replica is wanted (the HPA's target
    /// utilisation): one replica serves <c>requests.cpu × target_utilisation</c> cores of demand. Default 0.7.
    /// </summary>
    public double TargetUtilisation { get; set; } = 0.7;

    /// <summary>Fewest replicas of a component. Default 1.</summary>
    public int MinReplicas { get; set; } = 1;

    /// <summary>Most replicas of a component. Default 50.</summary>
    public int MaxReplicas { get; set; } = 50;

    /// <summary>Scale-in hysteresis (spare fraction before releasing). Default 0.1.</summary>
    public double ScaleInThreshold { get; set; } = 0.1;

    /// <summary>Scale-in stabilisation window. Default 5 minutes.</summary>
    public TimeSpan ScaleInStabilization { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Hourly budget of the tenant's components, or null for none.</summary>
    public double? BudgetPerHour { get; set; }

    /// <summary>Decisions kept in memory for the API. Default 5000.</summary>
    public int History { get; set; } = 5000;

    /// <summary>
    /// Each component's own demand series (<c>orchestration.scaling.demand</c>), by component id: the metric labelled
    /// <c>component="&lt;id&gt;"</c> whose forecast is its demand and how much of it one replica serves. Components not
    /// listed use <c>auspex_component_cpu_used_cores{component="&lt;id&gt;"}</c> when it is ingested, else their hosts'
    /// CPU forecasts shared by requests.
    /// </summary>
    public IDictionary<string, ComponentDemandSettings> Demand { get; } = new Dictionary<string, ComponentDemandSettings>(StringComparer.Ordinal);
}

/// <summary>A component's own demand series: the metric (labelled <c>component</c>) and the demand one replica serves at performance 1.0.</summary>
/// <param name="Metric">Metric name, e.g. <c>http_requests_per_second</c>.</param>
/// <param name="PerReplica">Demand one replica serves (requests/s, cores…), &gt; 0.</param>
public sealed record ComponentDemandSettings(string Metric, double PerReplica);

/// <summary>The <c>orchestration</c> section: which executor carries out plans and scaling decisions, and the scaling stage.</summary>
public sealed class OrchestrationSettings
{
    /// <summary>The executor: simulated (default), kubernetes, terraform or webhook.</summary>
    public string Executor { get; set; } = ExecutorNames.Simulated;

    /// <summary>The scaling stage.</summary>
    public ScalingStageSettings Scaling { get; set; } = new();

    /// <summary>Kubernetes executor settings.</summary>
    public KubernetesSettings Kubernetes { get; set; } = new();

    /// <summary>Terraform executor options (null unless configured).</summary>
    public TerraformExecutorOptions? Terraform { get; set; }

    /// <summary>Webhook executor options (null unless configured). The secret is read from the environment or a file at load time.</summary>
    public WebhookExecutorOptions? Webhook { get; set; }

    /// <summary>
    /// Creates the Kubernetes executor; set by the host that references the Kubernetes integration (<c>auspex serve</c>),
    /// since the engine does not.
    /// </summary>
    public Func<KubernetesSettings, IExecutor>? KubernetesExecutorFactory { get; set; }

    /// <summary>The decider's options these settings imply, for a loop ticking every <paramref name="interval"/>.</summary>
    public ScalingOptions DeciderOptions(TimeSpan interval, string tenant)
    {
        var o = new ScalingOptions
        {
            DecisionInterval = interval,
            Mode = Scaling.Mode switch
            {
                ScalingStageMode.Full => ScalingMode.Full,
                ScalingStageMode.ScaleOutOnly => ScalingMode.ScaleOutOnly,
                _ => ScalingMode.ForecastOnly,
            },
            DefaultQuantile = Scaling.Quantile,
            DefaultAvailability = Scaling.Availability,
            ScaleInThreshold = Scaling.ScaleInThreshold,
            ScaleInStabilization = Scaling.ScaleInStabilization,
        };
        if (Scaling.BudgetPerHour is { } b)
        {
            o.TenantBudgets[tenant] = b;
        }
        return o;
    }

    /// <summary>Returns every problem, empty when valid. Never includes a secret.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!ExecutorNames.All.Contains(Executor))
        {
            errors.Add($"orchestration.executor '{Executor}' is unknown; use one of {string.Join(", ", ExecutorNames.All)}");
        }
        if (Executor == ExecutorNames.Terraform)
        {
            if (Terraform is null)
            {
                errors.Add("orchestration.executor is terraform but there is no orchestration.terraform section (working_dir is required)");
            }
            else
            {
                errors.AddRange(Terraform.Validate().Select(e => "orchestration." + e));
            }
        }
        if (Executor == ExecutorNames.Webhook)
        {
            if (Webhook is null)
            {
                errors.Add("orchestration.executor is webhook but there is no orchestration.webhook section (urls and secret_env or secret_file are required)");
            }
            else
            {
                errors.AddRange(Webhook.Validate().Select(e => "orchestration." + e));
            }
        }
        var s = Scaling;
        if (s.Quantile is <= 0 or >= 1 or double.NaN)
        {
            errors.Add("orchestration.scaling.quantile must be in (0, 1)");
        }
        if (s.Availability is <= 0 or >= 1 or double.NaN)
        {
            errors.Add("orchestration.scaling.availability must be in (0, 1)");
        }
        if (s.TargetUtilisation is <= 0 or > 1 or double.NaN)
        {
            errors.Add("orchestration.scaling.target_utilisation must be in (0, 1]");
        }
        if (s.MinReplicas < 0 || s.MaxReplicas < Math.Max(1, s.MinReplicas))
        {
            errors.Add("orchestration.scaling needs 0 ≤ min_replicas ≤ max_replicas and max_replicas ≥ 1");
        }
        if (s.ScaleInThreshold is < 0 or > 10 or double.NaN)
        {
            errors.Add("orchestration.scaling.scale_in_threshold must be in [0, 10]");
        }
        if (s.BudgetPerHour is { } b && (!double.IsFinite(b) || b < 0))
        {
            errors.Add("orchestration.scaling.budget_per_hour must be ≥ 0");
        }
        foreach (var (component, d) in s.Demand)
        {
            if (string.IsNullOrWhiteSpace(d.Metric) || !System.Text.RegularExpressions.Regex.IsMatch(d.Metric, "^[a-zA-Z_:][a-zA-Z0-9_:]*$"))
            {
                errors.Add($"orchestration.scaling.demand.{component}.metric '{d.Metric}' is not a metric name");
            }
            if (!double.IsFinite(d.PerReplica) || d.PerReplica <= 0)
            {
                errors.Add($"orchestration.scaling.demand.{component}.per_replica must be > 0");
            }
        }
        if (s.History < 1)
        {
            errors.Add("orchestration.scaling.history must be ≥ 1");
        }
        if (s.PricingFile is { } p && !File.Exists(p))
        {
            errors.Add($"orchestration.scaling.pricing file '{p}' not found");
        }
        return errors;
    }
}
