using System.Text.Json;
using Auspex.Testing;

namespace Auspex.EndToEnd.Tests;

/// <summary>The real <c>auspex scale</c> and <c>auspex apply</c> processes.</summary>
public sealed class ScalingCliTests
{
    private const string Plan = """
        {
          "id": "scale-web-1", "kind": "scaling", "title": "scale web ahead of the peak",
          "createdBy": "operator:test", "createdAt": "2026-11-23T18:00:00Z",
          "phases": [
            { "name": "canary", "isCanary": true, "steps": [
              { "kind": "scale", "component": "web", "tier": "aws/spot", "replicas": 4 },
              { "kind": "gate", "soak": "00:00:00", "checks": [] } ] },
            { "name": "rest", "isCanary": false, "steps": [
              { "kind": "scale", "component": "api", "tier": "aws/spot", "replicas": 2 },
              { "kind": "pool-size", "tier": "aws/spot", "units": 3 } ] }
          ]
        }
        """;

    private static Task<(int Code, string Out, string Err)> Run(string dir, params string[] args) => CliProcess.RunAsync(dir, args, "AUSPEX_TOKEN");

    [Fact]
    public async Task Scale_Demo_ShowsTheDecisionInTableJsonAndYaml()
    {
        using var dir = new TempDirectory();
        var (code, json, err) = await Run(dir.Path, "scale", "--demo", "--component", "normal-2-2", "--dry-run", "-o", "json");
        Assert.True(code is 0 or 2, err);
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        Assert.Equal("normal-2-2", r.GetProperty("component").GetString());
        Assert.Equal(0.95, r.GetProperty("quantile").GetDouble(), 9);            // the component's SLO
        Assert.Equal("preview", r.GetProperty("source").GetString());
        Assert.True(r.GetProperty("requiredDemand").GetDouble() > 0);
        Assert.True(r.GetProperty("tierMix").EnumerateObject().Any());
        Assert.All(r.GetProperty("steps").EnumerateArray(), s => Assert.Equal("dryRun", s.GetProperty("status").GetString()));

        var (c2, table, e2) = await Run(dir.Path, "scale", "--demo", "--component", "normal-2-2", "--dry-run", "--quantile", "0.5");
        Assert.True(c2 is 0 or 2, e2);
        Assert.Contains("tier mix", table, StringComparison.Ordinal);
        Assert.Contains("lead time", table, StringComparison.Ordinal);
        Assert.Contains("reason: ", table, StringComparison.Ordinal);

        var (c3, yaml, e3) = await Run(dir.Path, "scale", "--demo", "--component", "normal-2-2", "--dry-run", "-o", "yaml");
        Assert.True(c3 is 0 or 2, e3);
        Assert.Contains("component: normal-2-2", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scale_BadArguments_AreRefusedNamingTheOption()
    {
        using var dir = new TempDirectory();
        var (missing, _, missingErr) = await Run(dir.Path, "scale", "--demo");
        Assert.Equal(1, missing);
        Assert.Contains("--component", missingErr, StringComparison.Ordinal);

        var (q, _, qErr) = await Run(dir.Path, "scale", "--demo", "--component", "normal-2-2", "--quantile", "1.5");
        Assert.Equal(1, q);
        Assert.Contains("--quantile '1.5' must be a number in (0, 1)", qErr, StringComparison.Ordinal);

        var (unknown, _, unknownErr) = await Run(dir.Path, "scale", "--demo", "--component", "nope", "--dry-run");
        Assert.Equal(1, unknown);
        Assert.Contains("--component 'nope': no such component", unknownErr, StringComparison.Ordinal);

        var (none, _, noneErr) = await Run(dir.Path, "scale", "--component", "web", "--data-dir", Path.Combine(dir.Path, "nowhere"));
        Assert.Equal(1, none);
        Assert.Contains("no store at", noneErr, StringComparison.Ordinal);

        var (token, _, tokenErr) = await Run(dir.Path, "scale", "--component", "web", "--server", "http://127.0.0.1:9/");
        Assert.Equal(1, token);
        Assert.Contains("needs an operator API token", tokenErr, StringComparison.Ordinal);

        var (url, _, urlErr) = await Run(dir.Path, "scale", "--component", "web", "--server", "not a url");
        Assert.Equal(1, url);
        Assert.Contains("--server 'not a url' is not an http(s) URL", urlErr, StringComparison.Ordinal);

        var (fmt, _, fmtErr) = await Run(dir.Path, "scale", "--demo", "--component", "web", "-o", "xml");
        Assert.Equal(1, fmt);
        Assert.Contains("xml", fmtErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_Plan_RunsEveryStepWithProgress_AndDryRunChangesNothing()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("plan.json"), Plan);

        var (dryCode, dryOut, dryErr) = await Run(dir.Path, "apply", "-f", "plan.json", "--dry-run");
        Assert.True(dryCode == 0, dryErr);
        Assert.Contains("would ", dryErr, StringComparison.Ordinal);
        Assert.Contains("Pending", dryOut, StringComparison.Ordinal);
        Assert.DoesNotContain("Done", dryOut, StringComparison.Ordinal);

        var (code, json, err) = await Run(dir.Path, "apply", "-f", "plan.json", "--data-dir", dir.File("store"), "-o", "json");
        Assert.True(code == 0, err);
        Assert.Contains("phase 1/2 (canary) step 1 scale web on aws/spot to 4 replicas: Done", err, StringComparison.Ordinal);
        Assert.Contains("plan scale-web-1 Succeeded", err, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("succeeded", doc.RootElement.GetProperty("status").GetString());
        Assert.All(doc.RootElement.GetProperty("steps").EnumerateArray(), s => Assert.Equal("done", s.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Apply_BadInput_IsRefusedWithTheReason()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("plan.json"), Plan);
        File.WriteAllText(dir.File("bad.json"), "{\"id\": \"x\", \"phases\": [ {");

        var (bad, _, badErr) = await Run(dir.Path, "apply", "-f", "bad.json");
        Assert.Equal(1, bad);
        Assert.Contains("invalid plan JSON", badErr, StringComparison.Ordinal);

        var (missing, _, missingErr) = await Run(dir.Path, "apply", "-f", "nope.json");
        Assert.Equal(1, missing);
        Assert.Contains("file not found", missingErr, StringComparison.Ordinal);

        var (tf, _, tfErr) = await Run(dir.Path, "apply", "-f", "plan.json", "--executor", "terraform");
        Assert.Equal(1, tf);
        Assert.Contains("no orchestration.terraform section", tfErr, StringComparison.Ordinal);

        var (unknown, _, unknownErr) = await Run(dir.Path, "apply", "-f", "plan.json", "--executor", "ansible");
        Assert.Equal(1, unknown);
        Assert.Contains("ansible", unknownErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_TerraformExecutorFromConfig_WritesTheVariables()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("infra"));
        File.WriteAllText(dir.File("plan.json"), Plan);
        File.WriteAllText(dir.File("auspex.yaml"), "data_dir: data\norchestration:\n  executor: terraform\n  terraform: {working_dir: infra, path: /nonexistent/terraform}\n");
        var (bad, _, badErr) = await Run(dir.Path, "apply", "-f", "plan.json", "--config", "auspex.yaml");
        Assert.Equal(1, bad);
        Assert.Contains("terraform.path", badErr, StringComparison.Ordinal);

        // A stand-in terraform (the real one would need a module and providers): plan answers "no changes".
        File.WriteAllText(dir.File("terraform"), "#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/calls.log\"\nexit 0\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dir.File("terraform"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        File.WriteAllText(dir.File("auspex.yaml"), "data_dir: data\norchestration:\n  executor: terraform\n  terraform: {working_dir: infra, path: terraform}\n");
        var (code, _, err) = await Run(dir.Path, "apply", "-f", "plan.json", "--config", "auspex.yaml");
        Assert.True(code == 0, err);
        var vars = File.ReadAllText(dir.File(Path.Combine("infra", "auspex.auto.tfvars.json")));
        Assert.Contains("\"aws/spot\": 4", vars, StringComparison.Ordinal);
        Assert.Contains("\"spot\": 3", vars, StringComparison.Ordinal);
        Assert.Contains("plan -input=false -no-color -detailed-exitcode -out=auspex.tfplan", File.ReadAllText(dir.File("calls.log")), StringComparison.Ordinal);
    }
}
