using System.Diagnostics;
using System.Text.Json;
using Auspex.Orchestration.Execution;

namespace Auspex.Orchestration.Tests.Execution;

/// <summary>
/// The Terraform executor against a fake <c>terraform</c>: a shell script standing in for the external program in a
/// unit test of the executor. It records its arguments and answers plan with exit code 2 (changes), 1 (error), 0 (no
/// changes) or hangs, as a file beside it says. The real terraform is not run (no providers can be reached here).
/// </summary>
public sealed class TerraformExecutorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("auspex-tf-").FullName;
    private string Bin => Path.Combine(_root, "bin");
    private string Module => Path.Combine(_root, "module");
    private string Calls => Path.Combine(Bin, "calls.log");

    public TerraformExecutorTests()
    {
        Directory.CreateDirectory(Bin);
        Directory.CreateDirectory(Module);
        var script = Path.Combine(Bin, "terraform");
        File.WriteAllText(script, """
            #!/bin/sh
            here=$(dirname "$0")
            echo "$(pwd)|$*" >> "$here/calls.log"
            mode=$(cat "$here/mode" 2>/dev/null || echo changes)
            case "$1" in
              plan)
                case "$mode" in
                  changes) echo "Plan: 1 to add, 0 to change, 0 to destroy."; exit 2;;
                  nochange) echo "No changes. Your infrastructure matches the configuration."; exit 0;;
                  error) echo "Error: Invalid value for input variable" >&2; exit 1;;
                  hang) echo $$ > "$here/pid"; exec sleep 60;;
                esac;;
              apply) echo "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."; exit 0;;
            esac
            exit 3
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private TerraformExecutor Executor(bool apply = true, string? searchPath = null, TimeSpan? planTimeout = null) => new(new TerraformExecutorOptions
    {
        WorkingDirectory = Module,
        SearchPath = searchPath ?? Bin,
        Apply = apply,
        PlanTimeout = planTimeout ?? TimeSpan.FromSeconds(30),
    });

    private void Mode(string mode) => File.WriteAllText(Path.Combine(Bin, "mode"), mode);

    private string[] CallLines() => File.Exists(Calls) ? File.ReadAllLines(Calls) : [];

    [Fact]
    public async Task Execute_WritesVariablesJson_WithReplicasPoolsAndCordons()
    {
        var tf = Executor();
        Assert.Equal(StepStatus.Applied, (await tf.ExecuteAsync(new ScaleStep("web", "aws/spot", 4), false)).Status);
        Assert.Equal(StepStatus.Applied, (await tf.ExecuteAsync(new ScaleStep("web", "aws/standard", 2), false)).Status);
        Assert.Equal(StepStatus.Applied, (await tf.ExecuteAsync(new ScaleStep("db", "", 1), false)).Status);
        Assert.Equal(StepStatus.Applied, (await tf.ExecuteAsync(new PoolSizeStep("gcp/spot", 3), false)).Status);
        Assert.Equal(StepStatus.Applied, (await tf.ExecuteAsync(new CordonStep("node-7", true), false)).Status);

        var text = File.ReadAllText(Path.Combine(Module, "auspex.auto.tfvars.json"));
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        Assert.Equal(4, root.GetProperty("auspex_replicas").GetProperty("web").GetProperty("aws/spot").GetInt32());
        Assert.Equal(2, root.GetProperty("auspex_replicas").GetProperty("web").GetProperty("aws/standard").GetInt32());
        Assert.Equal(1, root.GetProperty("auspex_replicas").GetProperty("db").GetProperty("default").GetInt32());
        Assert.Equal(3, root.GetProperty("auspex_node_pools").GetProperty("gcp").GetProperty("spot").GetInt32());
        Assert.Equal(["node-7"], root.GetProperty("auspex_cordoned_hosts").EnumerateArray().Select(e => e.GetString()));
        // Canonical: sorted keys, so the same state always gives the same bytes.
        Assert.True(text.IndexOf("\"db\"", StringComparison.Ordinal) < text.IndexOf("\"web\"", StringComparison.Ordinal));
        Assert.True(text.IndexOf("aws/spot", StringComparison.Ordinal) < text.IndexOf("aws/standard", StringComparison.Ordinal));
        Assert.DoesNotContain(Directory.GetFiles(Module), f => f.Contains(".tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Execute_SameStepTwice_SameFileAndNoSecondPlanOrApply()
    {
        var tf = Executor();
        var first = await tf.ExecuteAsync(new ScaleStep("web", "aws/spot", 4), false);
        var bytes = File.ReadAllBytes(tf.VariablesPath);
        var second = await tf.ExecuteAsync(new ScaleStep("web", "aws/spot", 4), false);

        Assert.Equal(StepStatus.Applied, first.Status);
        Assert.Equal(StepStatus.AlreadyInState, second.Status);
        Assert.Equal(bytes, File.ReadAllBytes(tf.VariablesPath));
        var calls = CallLines();
        Assert.Single(calls, c => c.Contains("|plan ", StringComparison.Ordinal));
        Assert.Single(calls, c => c.Contains("|apply ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Execute_PlanShowsChanges_RunsPlanWithDetailedExitCodeThenAppliesTheSavedPlan_InTheModuleFolder()
    {
        Mode("changes");
        var r = await Executor().ExecuteAsync(new ScaleStep("web", "aws/spot", 4), false);

        Assert.Equal(StepStatus.Applied, r.Status);
        Assert.Contains("Apply complete!", r.Detail, StringComparison.Ordinal);
        Assert.Contains("terraform plan: changes", r.Detail, StringComparison.Ordinal);
        Assert.Equal(new ScaleStep("web", "aws/spot", 0), r.Undo);
        var calls = CallLines();
        Assert.Equal(2, calls.Length);
        Assert.Equal(Module, calls[0].Split('|')[0]);
        Assert.Equal("plan -input=false -no-color -detailed-exitcode -out=auspex.tfplan", calls[0].Split('|')[1]);
        Assert.Equal("apply -input=false -no-color auspex.tfplan", calls[1].Split('|')[1]);
    }

    [Fact]
    public async Task Execute_PlanFails_StepFailsWithTerraformsOutput_AndIsRetriedNotTakenForDone()
    {
        Mode("error");
        var tf = Executor();
        var r = await tf.ExecuteAsync(new ScaleStep("web", "aws/spot", 4), false);

        Assert.Equal(StepStatus.Failed, r.Status);
        Assert.Contains("terraform plan failed (exit code 1)", r.Detail, StringComparison.Ordinal);
        Assert.Contains("Error: Invalid value for input variable", r.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(CallLines(), c => c.Contains("|apply", StringComparison.Ordinal));

        Mode("changes");
        var retry = await tf.ExecuteAsync(new ScaleStep("web", "aws/spot", 4), false);
        Assert.Equal(StepStatus.Applied, retry.Status);
        Assert.Equal(new ScaleStep("web", "aws/spot", 0), retry.Undo);
    }

    [Fact]
    public async Task Execute_ApplyDisabled_PlansButNeverApplies()
    {
        var r = await Executor(apply: false).ExecuteAsync(new PoolSizeStep("aws/spot", 3), false);

        Assert.Equal(StepStatus.Applied, r.Status);
        Assert.Contains("apply disabled", r.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(CallLines(), c => c.Contains("|apply", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DryRun_PlansTheWouldBeVariablesFromASeparateFile_AndLeavesTheAppliedStateAlone()
    {
        var tf = Executor();
        await tf.ExecuteAsync(new ScaleStep("web", "aws/spot", 2), false);
        var before = File.ReadAllText(tf.VariablesPath);

        var r = await tf.ExecuteAsync(new ScaleStep("web", "aws/spot", 6), true);

        Assert.Equal(StepStatus.DryRun, r.Status);
        Assert.Equal(new ScaleStep("web", "aws/spot", 2), r.Undo);
        Assert.Equal(before, File.ReadAllText(tf.VariablesPath));
        Assert.Contains("\"aws/spot\": 6", File.ReadAllText(Path.Combine(Module, TerraformExecutor.DryRunFileName)), StringComparison.Ordinal);
        var last = CallLines()[^1].Split('|')[1];
        Assert.Equal("plan -input=false -no-color -detailed-exitcode -var-file=auspex.dryrun.tfvars.json -out=auspex-dryrun.tfplan", last);
    }

    [Fact]
    public async Task DryRun_TerraformNotInstalled_WritesVariablesAndSaysPlanWasSkipped()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        var r = await Executor(searchPath: empty).ExecuteAsync(new ScaleStep("web", "aws/spot", 4), true);

        Assert.Equal(StepStatus.DryRun, r.Status);
        Assert.Contains("terraform plan skipped: terraform not found on PATH", r.Detail, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Module, TerraformExecutor.DryRunFileName)));
        Assert.Empty(CallLines());
    }

    [Fact]
    public async Task Execute_TerraformNotInstalledButApplyWanted_Fails()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        var r = await Executor(searchPath: empty).ExecuteAsync(new ScaleStep("web", "aws/spot", 4), false);

        Assert.Equal(StepStatus.Failed, r.Status);
        Assert.Contains("nothing was applied", r.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_PlanRunsPastTheTimeout_KillsTheProcessAndFails()
    {
        Mode("hang");
        var sw = Stopwatch.StartNew();
        var r = await Executor(planTimeout: TimeSpan.FromSeconds(1)).ExecuteAsync(new ScaleStep("web", "aws/spot", 4), false);
        sw.Stop();

        Assert.Equal(StepStatus.Failed, r.Status);
        Assert.Contains("timed out after 1s and was killed", r.Detail, StringComparison.Ordinal);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(50), "the hung plan was waited out instead of killed");
        var pid = int.Parse(File.ReadAllText(Path.Combine(Bin, "pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Directory.Exists("/proc/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"terraform (pid {pid}) is still running");
    }

    [Fact]
    public async Task Execute_UnsupportedStepKind_SaysSo()
    {
        var r = await Executor().ExecuteAsync(new LabelStep("n1", "k", "v"), false);
        Assert.Equal(StepStatus.Unsupported, r.Status);
    }

    [Fact]
    public void Options_MissingWorkingDirectory_AreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new TerraformExecutor(new TerraformExecutorOptions { WorkingDirectory = Path.Combine(_root, "nope") }));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Variables_RoundTrip_AndRefuseForeignKeys()
    {
        var v = new TerraformVariables();
        var (next, _, _, _) = v.With(new ScaleStep("web", "aws/spot", 3));
        var (parsed, error) = TerraformVariables.Parse(next!.Write());
        Assert.Null(error);
        Assert.Equal(next.Write(), parsed!.Write());
        Assert.NotNull(TerraformVariables.Parse("""{"region": "eu"}""").Error);
    }
}
