namespace Auspex.Orchestration.Execution;

/// <summary>Options of the Terraform executor. Every default is documented; <see cref="Validate"/> checks them.</summary>
public sealed class TerraformExecutorOptions
{
    /// <summary>The Terraform root module's folder: <c>auspex.auto.tfvars.json</c> is written here and terraform runs here. Required.</summary>
    public string WorkingDirectory { get; set; } = "";

    /// <summary>The terraform (or OpenTofu <c>tofu</c>) program; null (the default) searches <see cref="SearchPath"/> for <c>terraform</c>.</summary>
    public string? TerraformPath { get; set; }

    /// <summary>Folders searched for <c>terraform</c>, separated as PATH is; null (the default) uses the PATH environment variable.</summary>
    public string? SearchPath { get; set; }

    /// <summary>
    /// True: a step that is not a dry run runs <c>terraform apply</c> on the plan when it shows changes. False (the
    /// default): the variables are written and planned and the apply is left to your pipeline (GitOps).
    /// </summary>
    public bool Apply { get; set; }

    /// <summary>True (the default): dry runs run <c>terraform plan</c> on the would-be variables; false: they only write them.</summary>
    public bool PlanOnDryRun { get; set; } = true;

    /// <summary>Longest a <c>terraform plan</c> may run before it is killed and the step fails. Default 5 minutes.</summary>
    public TimeSpan PlanTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest a <c>terraform apply</c> may run before it is killed and the step fails. Default 15 minutes.</summary>
    public TimeSpan ApplyTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Lines of terraform's output (the end of it) kept in the step's result and the audit log. Default 30.</summary>
    public int OutputLines { get; set; } = 30;

    /// <summary>Returns the problems, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(WorkingDirectory))
        {
            errors.Add("terraform.working_dir is required (the folder of your Terraform root module)");
        }
        else if (!Directory.Exists(WorkingDirectory))
        {
            errors.Add($"terraform.working_dir '{WorkingDirectory}' does not exist");
        }
        if (TerraformPath is { } p && !File.Exists(p))
        {
            errors.Add($"terraform.path '{p}' does not exist");
        }
        if (PlanTimeout <= TimeSpan.Zero || ApplyTimeout <= TimeSpan.Zero)
        {
            errors.Add("terraform.plan_timeout and terraform.apply_timeout must be > 0");
        }
        if (OutputLines < 0)
        {
            errors.Add("terraform.output_lines must be ≥ 0");
        }
        return errors;
    }
}
