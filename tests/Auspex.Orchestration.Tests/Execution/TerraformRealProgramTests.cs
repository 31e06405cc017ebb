using System.Diagnostics;
using Auspex.Orchestration.Execution;
using Auspex.Testing;

namespace Auspex.Orchestration.Tests.Execution;

/// <summary>
/// The Terraform executor with the real terraform on a root module that uses only Terraform's built-in provider
/// (<c>terraform_data</c>), so init, plan and apply run offline and the applied state can be read back.
/// </summary>
public sealed class TerraformRealProgramTests : IDisposable
{
    private const string Install = "download terraform from https://developer.hashicorp.com/terraform/install and put it on PATH";
    private readonly string _module = Directory.CreateTempSubdirectory("auspex-tf-real-").FullName;

    public void Dispose() => Directory.Delete(_module, recursive: true);

    [OptionalProgramFact("terraform", Install)]
    public async Task RealTerraform_PlansAppliesAndSkipsARepeat()
    {
        File.WriteAllText(Path.Combine(_module, "main.tf"), """
            variable "auspex_replicas"       { type = map(map(number)) }
            variable "auspex_node_pools"     { type = map(map(number)) }
            variable "auspex_cordoned_hosts" { type = list(string) }
            resource "terraform_data" "replicas" { input = var.auspex_replicas }
            output "web_spot" { value = try(var.auspex_replicas["web"]["aws/spot"], 0) }
            """);
        var init = Process.Start(new ProcessStartInfo(Programs.Find("terraform")!, ["init", "-input=false", "-no-color"])
        {
            WorkingDirectory = _module,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var initOut = init.StandardOutput.ReadToEndAsync();
        var initErr = init.StandardError.ReadToEndAsync();
        await init.WaitForExitAsync();
        Assert.True(init.ExitCode == 0, await initOut + await initErr);

        var tf = new TerraformExecutor(new TerraformExecutorOptions { WorkingDirectory = _module, Apply = true, PlanTimeout = TimeSpan.FromMinutes(2), ApplyTimeout = TimeSpan.FromMinutes(2) });
        var dry = await tf.ExecuteAsync(new ScaleStep("web", "aws/spot", 4), dryRun: true);
        Assert.True(dry.Status == StepStatus.DryRun, dry.Detail);
        Assert.Contains("terraform plan: changes", dry.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_module, "terraform.tfstate")));

        var applied = await tf.ExecuteAsync(new ScaleStep("web", "aws/spot", 4), dryRun: false);
        Assert.True(applied.Status == StepStatus.Applied, applied.Detail);
        Assert.Contains("Apply complete!", applied.Detail, StringComparison.Ordinal);
        var state = File.ReadAllText(Path.Combine(_module, "terraform.tfstate"));
        Assert.Contains("\"web_spot\"", state, StringComparison.Ordinal);
        Assert.Contains("\"value\": 4", state, StringComparison.Ordinal);

        var again = await tf.ExecuteAsync(new ScaleStep("web", "aws/spot", 4), dryRun: false);
        Assert.Equal(StepStatus.AlreadyInState, again.Status);

        var undo = await tf.ExecuteAsync(applied.Undo!, dryRun: false);
        Assert.True(undo.Status == StepStatus.Applied, undo.Detail);
        Assert.Contains("\"value\": 0", File.ReadAllText(Path.Combine(_module, "terraform.tfstate")), StringComparison.Ordinal);
    }
}
