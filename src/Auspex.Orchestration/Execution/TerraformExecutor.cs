using System.Globalization;
using System.Text;
using Auspex.Orchestration.Internal;

namespace Auspex.Orchestration.Execution;

/// <summary>
/// The infrastructure-as-code executor: each <c>scale</c>, <c>pool-size</c> and <c>cordon</c> step becomes Terraform
/// variables (<see cref="TerraformVariables"/>) written atomically to <c>auspex.auto.tfvars.json</c> in the root
/// module's folder, then <c>terraform plan -detailed-exitcode</c> runs there (when terraform is installed) and, when the
/// options allow it and the step is not a dry run, <c>terraform apply</c> on that saved plan.
/// <para>
/// State files in the working directory: <c>auspex.auto.tfvars.json</c> (the desired state Terraform reads),
/// <c>.auspex-applied.tfvars.json</c> (the variables as of the last step that succeeded — the base the next step and
/// every undo are computed from, so a failed apply is retried rather than taken for done),
/// <c>auspex.dryrun.tfvars.json</c> (a dry run's would-be variables, passed with <c>-var-file</c> so a dry run never
/// changes what a pipeline would apply) and the saved plans <c>auspex.tfplan</c> / <c>auspex-dryrun.tfplan</c>.
/// A step whose variables equal the last applied ones is <see cref="StepStatus.AlreadyInState"/>: no plan, no apply.
/// </para>
/// </summary>
public sealed class TerraformExecutor : IExecutor
{
    /// <summary>The variables of the last successful step.</summary>
    public const string AppliedFileName = ".auspex-applied.tfvars.json";

    /// <summary>A dry run's would-be variables.</summary>
    public const string DryRunFileName = "auspex.dryrun.tfvars.json";

    /// <summary>The saved plan of a real run.</summary>
    public const string PlanFileName = "auspex.tfplan";

    /// <summary>The saved plan of a dry run.</summary>
    public const string DryRunPlanFileName = "auspex-dryrun.tfplan";

    private static readonly Dictionary<string, string> Environment = new(StringComparer.Ordinal)
    {
        ["TF_IN_AUTOMATION"] = "1",
        ["TF_INPUT"] = "0",
    };

    private readonly TerraformExecutorOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the executor; throws <see cref="ArgumentException"/> listing invalid options.</summary>
    public TerraformExecutor(TerraformExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid terraform executor options: " + string.Join("; ", errors), nameof(options));
        }
        _options = options;
    }

    /// <inheritdoc />
    public string Name => "terraform";

    /// <summary>The variables file Terraform reads.</summary>
    public string VariablesPath => Path.Combine(_options.WorkingDirectory, TerraformVariables.FileName);

    /// <summary>The terraform program that will run, or null when none is configured or found.</summary>
    public string? Program => _options.TerraformPath ?? ExternalProcess.Find(OperatingSystem.IsWindows() ? "terraform.exe" : "terraform",
        _options.SearchPath ?? System.Environment.GetEnvironmentVariable("PATH"));

    /// <inheritdoc />
    public async Task<StepResult> ExecuteAsync(ExecutionStep step, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(step);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RunAsync(step, dryRun, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<StepResult> RunAsync(ExecutionStep step, bool dryRun, CancellationToken ct)
    {
        var dir = _options.WorkingDirectory;
        var (current, loadError) = Load();
        if (current is null)
        {
            return new(StepStatus.Failed, $"{step.Describe()}: {loadError}");
        }
        var (next, undo, error, unsupported) = current.With(step);
        if (next is null)
        {
            return new(unsupported ? StepStatus.Unsupported : StepStatus.Failed, error!);
        }
        var text = next.Write();
        var applied = ReadOrNull(Path.Combine(dir, AppliedFileName));
        var desired = ReadOrNull(VariablesPath);
        if (applied == text && desired == text)
        {
            return new(StepStatus.AlreadyInState, $"{step.Target}: already in state ({step.Describe()}; {TerraformVariables.FileName} unchanged, nothing to plan or apply)");
        }
        var program = Program;
        if (dryRun)
        {
            AtomicWrite(Path.Combine(dir, DryRunFileName), text);
            var would = $"would {step.Describe()}; wrote {DryRunFileName}";
            if (!_options.PlanOnDryRun)
            {
                return new(StepStatus.DryRun, would + "; terraform plan not run on dry runs (terraform.plan_on_dry_run: false)", undo);
            }
            if (program is null)
            {
                return new(StepStatus.DryRun, would + "; terraform plan skipped: " + NotFound(), undo);
            }
            var plan = await PlanAsync(program, ["-var-file=" + DryRunFileName, "-out=" + DryRunPlanFileName], ct).ConfigureAwait(false);
            return plan.Failed is { } f
                ? new(StepStatus.Failed, $"{step.Describe()} (dry run): {f}")
                : new(StepStatus.DryRun, $"{would}; {plan.Summary}", undo);
        }

        if (applied is null)
        {
            // Pin the base before the variables file changes, so a failed plan or apply is retried from the same
            // base (and its undo stays right) instead of the half-done file being taken for the applied state.
            AtomicWrite(Path.Combine(dir, AppliedFileName), current.Write());
        }
        if (desired != text)
        {
            AtomicWrite(VariablesPath, text);
        }
        var wrote = $"{step.Describe()}: wrote {TerraformVariables.FileName}";
        if (program is null)
        {
            if (_options.Apply)
            {
                return new(StepStatus.Failed, $"{wrote}, but nothing was applied: {NotFound()}");
            }
            AtomicWrite(Path.Combine(dir, AppliedFileName), text);
            return new(StepStatus.Applied, $"{wrote}; terraform plan skipped: {NotFound()}; apply is left to your pipeline", undo);
        }
        var real = await PlanAsync(program, ["-out=" + PlanFileName], ct).ConfigureAwait(false);
        if (real.Failed is { } failed)
        {
            return new(StepStatus.Failed, $"{wrote}; {failed}");
        }
        if (!real.Changes)
        {
            AtomicWrite(Path.Combine(dir, AppliedFileName), text);
            return new(StepStatus.Applied, $"{wrote}; {real.Summary}", undo);
        }
        if (!_options.Apply)
        {
            AtomicWrite(Path.Combine(dir, AppliedFileName), text);
            return new(StepStatus.Applied, $"{wrote}; {real.Summary}; apply disabled (terraform.apply: false): apply {PlanFileName} in your pipeline", undo);
        }
        var apply = await ExternalProcess.RunAsync(program, ["apply", "-input=false", "-no-color", PlanFileName], dir, Environment, _options.ApplyTimeout, ct).ConfigureAwait(false);
        if (apply.StartError is { } se)
        {
            return new(StepStatus.Failed, $"{wrote}; terraform apply could not start: {se}");
        }
        if (apply.TimedOut)
        {
            return new(StepStatus.Failed, $"{wrote}; terraform apply timed out after {Seconds(_options.ApplyTimeout)} and was killed{Output(apply.Output)}");
        }
        if (apply.ExitCode != 0)
        {
            return new(StepStatus.Failed, $"{wrote}; terraform apply failed (exit code {apply.ExitCode.ToString(CultureInfo.InvariantCulture)}){Output(apply.Output)}");
        }
        AtomicWrite(Path.Combine(dir, AppliedFileName), text);
        return new(StepStatus.Applied, $"{wrote}; {real.Summary}; terraform apply: done{Output(apply.Output)}", undo);
    }

    private sealed record PlanOutcome(bool Changes, string Summary, string? Failed);

    private async Task<PlanOutcome> PlanAsync(string program, IReadOnlyList<string> extra, CancellationToken ct)
    {
        string[] args = ["plan", "-input=false", "-no-color", "-detailed-exitcode", .. extra];
        var r = await ExternalProcess.RunAsync(program, args, _options.WorkingDirectory, Environment, _options.PlanTimeout, ct).ConfigureAwait(false);
        if (r.StartError is { } se)
        {
            return new(false, "", $"terraform plan could not start ({program}): {se}");
        }
        if (r.TimedOut)
        {
            return new(false, "", $"terraform plan timed out after {Seconds(_options.PlanTimeout)} and was killed{Output(r.Output)}");
        }
        return r.ExitCode switch
        {
            0 => new(false, "terraform plan: no changes to infrastructure" + Output(r.Output), null),
            2 => new(true, "terraform plan: changes" + Output(r.Output), null),
            _ => new(false, "", $"terraform plan failed (exit code {r.ExitCode.ToString(CultureInfo.InvariantCulture)}){Output(r.Output)}"),
        };
    }

    private string Output(string output)
    {
        var tail = ExternalProcess.Tail(output, _options.OutputLines);
        return tail.Length == 0 ? "" : "\n" + tail;
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    private string NotFound() => _options.TerraformPath is { } p
        ? $"terraform not found at {p}"
        : "terraform not found on PATH (install it, or set orchestration.terraform.path)";

    /// <summary>The base state: the last applied variables, else the variables file, else nothing.</summary>
    private (TerraformVariables? Variables, string? Error) Load()
    {
        foreach (var name in new[] { AppliedFileName, TerraformVariables.FileName })
        {
            if (ReadOrNull(Path.Combine(_options.WorkingDirectory, name)) is { } text)
            {
                var (v, e) = TerraformVariables.Parse(text);
                return v is null ? (null, $"{name}: {e}") : (v, null);
            }
        }
        return (new TerraformVariables(), null);
    }

    private static string? ReadOrNull(string path) => File.Exists(path) ? File.ReadAllText(path, Encoding.UTF8) : null;

    /// <summary>Writes a temporary file beside the target and renames it over the target, so readers see the old or the new file, never half of one.</summary>
    private static void AtomicWrite(string path, string text)
    {
        var temp = path + ".tmp-" + System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(temp, text, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }
}
