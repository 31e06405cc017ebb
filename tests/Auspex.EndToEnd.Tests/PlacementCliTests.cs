using System.Text.Json;
using Auspex.Placement.Footprints;
using Auspex.Testing;

namespace Auspex.EndToEnd.Tests;

/// <summary>The real <c>auspex score</c>, <c>place</c> and <c>plan</c> processes on the bundled sample fleet.</summary>
public sealed class PlacementCliTests
{
    private static Task<(int Code, string Out, string Err)> Run(string dir, params string[] args) => CliProcess.RunAsync(dir, args);

    [Fact]
    public async Task Score_Demo_ListsEveryLocalityWorstFirst_InTableJsonAndCsv()
    {
        using var dir = new TempDirectory();
        var (code, table, err) = await Run(dir.Path, "score", "--demo", "--level", "host");
        Assert.True(code == 0, err);
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("LOCALITY", lines[0], StringComparison.Ordinal);
        Assert.Equal(41, lines.Length);
        var (c2, json, e2) = await Run(dir.Path, "score", "--demo", "-o", "json");
        Assert.True(c2 == 0, e2);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(57, doc.RootElement.GetArrayLength());
        Assert.Contains("capacity", doc.RootElement[0].GetProperty("score").GetProperty("parts").EnumerateObject().Select(p => p.Name));
        var (c3, svg, e3) = await Run(dir.Path, "score", "--demo", "-o", "svg");
        Assert.True(c3 == 0, e3);
        Assert.StartsWith("<svg", svg.TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Place_Demo_ExplainsTheChoice_AndRejectsBadInput()
    {
        using var dir = new TempDirectory();
        var (code, table, err) = await Run(dir.Path, "place", "--demo", "--cpu", "1", "--memory", "1Gi", "--candidates", "3");
        Assert.True(code == 0, err);
        Assert.Contains("replica 1 → ", table, StringComparison.Ordinal);
        Assert.Contains("LEASTALLOCATED", table, StringComparison.Ordinal);
        var (bad, _, badErr) = await Run(dir.Path, "place", "--demo", "--cpu", "lots");
        Assert.Equal(1, bad);
        Assert.Contains("--cpu 'lots'", badErr, StringComparison.Ordinal);
        var (none, _, noneErr) = await Run(dir.Path, "place", "--data-dir", Path.Combine(dir.Path, "nowhere"), "--cpu", "1");
        Assert.Equal(1, none);
        Assert.Contains("no store at", noneErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_Demo_ExitCodeMatchesTheDiff_AndJsonIsASavedPlan()
    {
        using var dir = new TempDirectory();
        var (code, text, err) = await Run(dir.Path, "plan", "--demo");
        Assert.True(code is 0 or 2, err);
        Assert.Contains(code == 0 ? "No changes." : "Plan: ", text, StringComparison.Ordinal);
        var file = Path.Combine(dir.Path, "plan.json");
        var (c2, _, e2) = await Run(dir.Path, "plan", "--demo", "-o", "json", "--output", file);
        Assert.Equal(code, c2);
        if (c2 == 2)
        {
            Assert.IsType<MigrationPlanRead.Ok>(MigrationPlanJson.Read(await File.ReadAllTextAsync(file)));
        }
        else
        {
            Assert.True(c2 == 0, e2);
        }
    }

    [Fact]
    public async Task PlanGlobal_Demo_DiffSummaryExitCodes_AndTheSavedPlanApplies()
    {
        using var dir = new TempDirectory();
        var (code, text, err) = await Run(dir.Path, "plan", "--demo", "--global", "--time-limit", "1", "--soak", "0");
        Assert.True(code == 2, err);
        Assert.Contains("Auspex will perform the following actions (global plan gp-", text, StringComparison.Ordinal);
        Assert.Matches(@"~ \S+: vm-\d+ -> vm-\d+", text);
        Assert.Matches(@"Plan: \d+ to move, \d+ to add, \d+ to remove; hosts 15 -> \d+; objective [\d.]+ -> [\d.]+, [\d.]+% above the lower bound [\d.]+; packing in", text);
        Assert.Contains("auspex: done ", err, StringComparison.Ordinal);
        // Demand from the loop's forecasts (or requests, with why) and the note on the weak bound (the sample hosts differ in size).
        Assert.Matches(@"# demand: \d+ component\(s\) from forecasts, \d+ from requests", text);
        Assert.Contains("Weak bound: hosts differ in size", text, StringComparison.Ordinal);

        var file = Path.Combine(dir.Path, "global.json");
        var (c2, _, e2) = await Run(dir.Path, "plan", "--demo", "--global", "--time-limit", "1", "--soak", "0", "-o", "json", "--output", file);
        Assert.True(c2 == 2, e2);
        var (plan, error) = Auspex.Orchestration.Plans.PlanJson.Read(await File.ReadAllTextAsync(file));
        Assert.True(plan is not null, error);
        Assert.Empty(plan!.Validate());

        var (c3, applied, e3) = await Run(dir.Path, "apply", file, "--demo", "-o", "json");
        Assert.True(c3 == 0, e3);
        Assert.Contains($"plan {plan.Id} Succeeded", e3, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(applied);
        Assert.All(doc.RootElement.GetProperty("steps").EnumerateArray(), st => Assert.Equal("done", st.GetProperty("state").GetString()));
        // Removes ran against the demo topology's placement (not "already in state" on an empty executor).
        Assert.DoesNotContain("already in state (remove", e3, StringComparison.Ordinal);

        var (bad, _, badErr) = await Run(dir.Path, "plan", "--demo", "--global", "--time-limit", "1", "--drain", "no-such-host");
        Assert.Equal(1, bad);
        Assert.Contains("drain[0]: 'no-such-host' is not a host of the topology", badErr, StringComparison.Ordinal);
        var (slow, _, slowErr) = await Run(dir.Path, "plan", "--demo", "--global", "--time-limit", "3600");
        Assert.Equal(1, slow);
        Assert.Contains("timeLimitSeconds: 3600 must be in (0, 60]", slowErr, StringComparison.Ordinal);
        var (q, _, qErr) = await Run(dir.Path, "plan", "--demo", "--global", "--time-limit", "1", "--quantile", "1.5");
        Assert.Equal(1, q);
        Assert.Contains("quantile: 1.5 must be in (0, 1)", qErr, StringComparison.Ordinal);
        var (sl, _, slErr) = await Run(dir.Path, "plan", "--demo", "--global", "--time-limit", "1", "--slots", "0");
        Assert.Equal(1, sl);
        Assert.Contains("slots: 0 is outside 1–168", slErr, StringComparison.Ordinal);
        var (none, _, noneErr) = await Run(dir.Path, "apply");
        Assert.Equal(1, none);
        Assert.Contains("give the plan file", noneErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanGlobal_Demo_CpSatSolvesInProcess_AndAnUnknownSolverNamesTheValidOnes()
    {
        using var dir = new TempDirectory();
        var (code, text, err) = await Run(dir.Path, "plan", "--demo", "--global", "--solver", "cpsat", "--time-limit", "10", "--soak", "0");
        Assert.True(code == 2, err);
        // CP-SAT (Google OR-Tools, registered by the CLI through AddOrToolsSolver) solves the sample fleet whole.
        Assert.Matches(@"Plan: \d+ to move, \d+ to add, \d+ to remove; hosts 15 -> \d+; objective [\d.]+ -> [\d.]+, [\d.]+% above the lower bound [\d.]+; cp-sat in", text);
        var (bad, _, badErr) = await Run(dir.Path, "plan", "--demo", "--global", "--time-limit", "1", "--solver", "annealing");
        Assert.Equal(1, bad);
        Assert.Contains("solver: 'annealing' is not one of packing, greedy, cpsat", badErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_ReadsTheSavedFootprintMigrationPlan()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "plan.json");
        var (code, _, err) = await Run(dir.Path, "plan", "--demo", "-o", "json", "--output", file);
        Assert.True(code is 0 or 2, err);
        var (c2, _, e2) = await Run(dir.Path, "apply", file, "--demo", "--dry-run");
        // A saved migration plan is read as one (no "invalid plan JSON"); "{}" (no change) is refused.
        if (code == 2)
        {
            Assert.True(c2 == 0, e2);
            Assert.DoesNotContain("invalid plan JSON", e2, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(1, c2);
            Assert.Contains("holds no plan", e2, StringComparison.Ordinal);
        }
    }
}
