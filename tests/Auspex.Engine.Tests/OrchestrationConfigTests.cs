using Auspex.Engine.Configuration;
using Auspex.Testing;

namespace Auspex.Engine.Tests;

public sealed class OrchestrationConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private ConfigFileResult Load(string yaml)
    {
        var p = _dir.File("auspex.yaml");
        File.WriteAllText(p, yaml);
        return ConfigFile.Load(p);
    }

    [Fact]
    public void Load_NoOrchestrationSection_IsSimulatedAndForecastOnly()
    {
        var r = Load("data_dir: d\n");
        Assert.Empty(r.Errors);
        Assert.Equal("simulated", r.Settings!.Orchestration.Executor);
        Assert.Equal(ScalingStageMode.ForecastOnly, r.Settings.Orchestration.Scaling.Mode);
    }

    [Fact]
    public void Load_Terraform_ResolvesTheModuleFolderAndOptions()
    {
        Directory.CreateDirectory(_dir.File("infra"));
        File.WriteAllText(_dir.File("tiers.csv"), "provider,tier,price_per_hour\naws,spot,0.07\n");
        var r = Load("""
            orchestration:
              executor: terraform
              scaling: {mode: full, pricing: tiers.csv, quantile: 0.9, target_utilisation: 0.6, min_replicas: 2, max_replicas: 30, budget_per_hour: 12.5, scale_in_stabilization: 10m}
              terraform: {working_dir: infra, apply: true, plan_timeout: 2m, apply_timeout: 20m}
            """);
        Assert.Empty(r.Errors);
        var o = r.Settings!.Orchestration;
        Assert.Equal("terraform", o.Executor);
        Assert.Equal(_dir.File("infra"), o.Terraform!.WorkingDirectory);
        Assert.True(o.Terraform.Apply);
        Assert.Equal(TimeSpan.FromMinutes(2), o.Terraform.PlanTimeout);
        Assert.Equal(ScalingStageMode.Full, o.Scaling.Mode);
        Assert.Equal(_dir.File("tiers.csv"), o.Scaling.PricingFile);
        Assert.Equal(0.6, o.Scaling.TargetUtilisation);
        Assert.Equal(12.5, o.Scaling.BudgetPerHour);
        Assert.Equal(TimeSpan.FromMinutes(10), o.Scaling.ScaleInStabilization);
        Assert.Equal(12.5, o.DeciderOptions(TimeSpan.FromMinutes(5), "acme").TenantBudgets["acme"]);
    }

    [Fact]
    public void Load_WebhookSecretFromFile_IsReadButNeverEchoed()
    {
        File.WriteAllText(_dir.File("hook.secret"), "whsec_0123456789abcdef\n");
        var r = Load("""
            orchestration:
              executor: webhook
              webhook: {urls: ["https://hooks.example.com/auspex"], secret_file: hook.secret, max_attempts: 3, initial_backoff: 1s, max_backoff: 10s}
            """);
        Assert.Empty(r.Errors);
        var w = r.Settings!.Orchestration.Webhook!;
        Assert.Equal("whsec_0123456789abcdef", w.Secret);
        Assert.Equal(new Uri("https://hooks.example.com/auspex"), Assert.Single(w.Urls));
        Assert.Equal(3, w.MaxAttempts);
    }

    [Theory]
    [InlineData("orchestration: {executor: ansible}", ":1:", "orchestration.executor 'ansible' is unknown; use one of simulated, kubernetes, terraform, webhook")]
    [InlineData("orchestration: {executor: terraform}", ":1:", "there is no orchestration.terraform section")]
    [InlineData("orchestration: {executor: terraform, terraform: {apply: true}}", ":1:", "working_dir is required")]
    [InlineData("orchestration: {terraform: {working_dir: nowhere}}", ":1:", "does not exist")]
    [InlineData("orchestration: {terraform: {working_dir: ., apply: maybe}}", ":1:", "'apply' must be true or false")]
    [InlineData("orchestration: {webhook: {urls: [\"https://x/\"], secret: hunter2hunter2hunter2}}", ":1:", "secrets never go in this file")]
    [InlineData("orchestration: {webhook: {urls: [\"https://x/\"], secret_env: AUSPEX_TEST_UNSET_SECRET_VAR}}", ":1:", "AUSPEX_TEST_UNSET_SECRET_VAR holding the signing secret is not set")]
    [InlineData("orchestration: {webhook: {urls: [\"ftp://x/\"], secret_file: none}}", ":1:", "is not an absolute http(s) URL")]
    [InlineData("orchestration: {scaling: {mode: sometimes}}", ":1:", "orchestration.scaling.mode 'sometimes' is unknown")]
    [InlineData("orchestration: {scaling: {quantile: 1.5}}", ":1:", "'quantile' must be a number in (0, 1)")]
    [InlineData("orchestration: {scaling: {min_replicas: 5, max_replicas: 2}}", ":1:", "min_replicas (5) is above max_replicas (2)")]
    [InlineData("orchestration: {scaling: {pricing: missing.csv}}", ":1:", "pricing file")]
    [InlineData("orchestration: {kubernetes: {workload_name: web}}", ":1:", "workload_name must contain {component}")]
    [InlineData("orchestration: {colour: blue}", ":1:", "unknown key 'colour' in orchestration")]
    public void Load_BadOrchestration_IsRefusedNamingTheLineAndKey(string yaml, string where, string message)
    {
        var r = Load(yaml);
        Assert.Null(r.Settings);
        Assert.Contains(r.Errors, e => e.Contains(where, StringComparison.Ordinal) && e.Contains(message, StringComparison.Ordinal));
        Assert.DoesNotContain(r.Errors, e => e.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_ScalingDemand_ReadsEachComponentsSeries()
    {
        var r = Load("""
            orchestration:
              scaling:
                demand:
                  web: {metric: http_requests_per_second, per_replica: 120}
                  db: {metric: "db:queries_per_second", per_replica: 0.5}
            """);
        Assert.Empty(r.Errors);
        var d = r.Settings!.Orchestration.Scaling.Demand;
        Assert.Equal(new ComponentDemandSettings("http_requests_per_second", 120), d["web"]);
        Assert.Equal(0.5, d["db"].PerReplica);
        Assert.Empty(r.Settings.Orchestration.Validate());
    }

    [Theory]
    [InlineData("demand: [web]", "'orchestration.scaling.demand' must be a mapping")]
    [InlineData("demand: {web: 120}", "'orchestration.scaling.demand.web' must be a mapping")]
    [InlineData("demand: {web: {per_replica: 120}}", "orchestration.scaling.demand.web needs 'metric'")]
    [InlineData("demand: {web: {metric: rps}}", "orchestration.scaling.demand.web needs 'per_replica'")]
    [InlineData("demand: {web: {metric: rps, per_replica: 0}}", "'per_replica' must be a number > 0")]
    [InlineData("demand: {web: {metric: rps, per_replica: lots}}", "'per_replica' must be a number > 0")]
    [InlineData("demand: {web: {metric: \"rps{x}\", per_replica: 1}}", "metric 'rps{x}' is not a metric name")]
    [InlineData("demand: {web: {metric: rps, per_replica: 1, unit: rps}}", "unknown key 'unit' in orchestration.scaling.demand.web")]
    public void Load_BadScalingDemand_IsRefusedWithWhere(string demand, string message)
    {
        var r = Load("orchestration:\n  scaling:\n    " + demand + "\n");
        Assert.Contains(r.Errors, e => e.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BadDemandSettingsGivenInCode_AreListed()
    {
        var o = new OrchestrationSettings();
        o.Scaling.Demand["web"] = new ComponentDemandSettings("bad name", -1);
        var errors = o.Validate();
        Assert.Contains(errors, e => e.Contains("demand.web.metric 'bad name' is not a metric name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("demand.web.per_replica must be > 0", StringComparison.Ordinal));
    }
}
