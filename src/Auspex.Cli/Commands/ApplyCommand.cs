using System.CommandLine;
using System.Globalization;
using Auspex.Core.Series;
using Auspex.Engine;
using Auspex.Engine.Configuration;
using Auspex.Ingestion.TopologyFiles;
using Auspex.Orchestration.Execution;
using Auspex.Orchestration.Plans;
using Auspex.Storage;

namespace Auspex.Cli.Commands;

/// <summary>
/// <c>auspex apply -f plan.json [--dry-run] [--executor NAME]</c>: runs a plan file (the format of docs/orchestration.md,
/// what <c>auspex plan -o json</c> writes) through the plan runner — dry run, then phases with canary steps and health
/// gates, automatic rollback — printing each step as it goes. The executor and its settings come from <c>--config</c>'s
/// <c>orchestration</c> section (default simulated); plan state and the audit log go to the data directory's store.
/// Exit code 0 = succeeded (or the dry run is clean), 1 = failed, rolled back or invalid.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var file = new Option<FileInfo?>("--file", "-f") { Description = "The plan (JSON; or give it as the argument PLAN)" };
        var demo = new Option<bool>("--demo") { Description = "Run against the bundled sample fleet's topology (what `auspex plan --demo` planned on), so the simulated executor starts from its placement" };
        var planArg = new Argument<FileInfo?>("PLAN") { Description = "The plan file (what `auspex plan -o json` or `auspex plan --global -o json` saved)", Arity = ArgumentArity.ZeroOrOne };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only dry-run every step and show what would change" };
        var executor = new Option<string?>("--executor") { Description = "simulated, kubernetes, terraform or webhook (default: the configuration's orchestration.executor, else simulated)" };
        var config = new Option<FileInfo?>("--config") { Description = "Server configuration: its orchestration section (executor settings), topology and data_dir" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Where plan state and the audit log are kept (default: the configuration's data_dir, else a temporary folder)" };
        var format = new Option<string>("--output-format", "-o") { Description = "table or json (the final plan state)", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        executor.AcceptOnlyFromAmong([.. ExecutorNames.All]);
        var cmd = new Command("apply", "Run a plan file through the plan runner (dry run first, canary phases, health gates, automatic rollback) on an executor, with progress.")
        {
            file, dryRun, executor, config, dataDir, format, planArg, demo,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            if ((parse.GetValue(file) ?? parse.GetValue(planArg)) is not { } f)
            {
                Console.Error.WriteLine("error: give the plan file: auspex apply PLAN (or -f PLAN)");
                return 1;
            }
            if (!f.Exists)
            {
                Console.Error.WriteLine($"error: -f '{f.FullName}': file not found");
                return 1;
            }
            var text = await File.ReadAllTextAsync(f.FullName, ct);
            if (text.Trim() == "{}")
            {
                Console.Error.WriteLine($"error: {f.Name} holds no plan ({{}}: the `auspex plan` that saved it found no change); nothing to apply");
                return 1;
            }
            var (plan, error) = text.Contains("\"" + Placement.Footprints.MigrationPlanJson.Format + "\"", StringComparison.Ordinal)
                ? Placement.Footprints.MigrationPlanJson.Read(text) switch
                {
                    // `auspex plan -o json` saves the footprint migration plan; the runner executes its steps one to one.
                    Placement.Footprints.MigrationPlanRead.Ok ok => (PlanBuilders.FromMigration(ok.Plan, "cli:" + Environment.UserName), (string?)null),
                    Placement.Footprints.MigrationPlanRead.Invalid bad => ((ExecutionPlan?)null, bad.Error),
                    _ => (null, "unreadable migration plan"),
                }
                : PlanJson.Read(text);
            if (plan is null)
            {
                Console.Error.WriteLine($"error: {f.Name}: {error}");
                return 1;
            }
            var invalid = plan.Validate();
            if (invalid.Count > 0)
            {
                foreach (var e in invalid)
                {
                    Console.Error.WriteLine($"error: {f.Name}: {e}");
                }
                return 1;
            }
            var settings = new RuntimeSettings();
            string? dir = null;
            if (parse.GetValue(config) is { } cfg)
            {
                var r = ConfigFile.Load(cfg.FullName);
                if (r.Settings is null)
                {
                    foreach (var e in r.Errors)
                    {
                        Console.Error.WriteLine("error: " + e);
                    }
                    return 1;
                }
                settings = r.Settings;
                dir = settings.DataDirectory;
            }
            if (parse.GetValue(executor) is { } name)
            {
                settings.Orchestration.Executor = name;
            }
            if (parse.GetValue(demo) && settings.TopologyPath is null)
            {
                if (SampleData.FleetDirectory() is not { } fleet)
                {
                    Console.Error.WriteLine("error: --demo: the sample fleet (samples/fleet) was not found beside the executable or above the current directory");
                    return 1;
                }
                settings.TopologyPath = Path.Combine(fleet, "topology.yaml");
            }
            HostRunner.AttachKubernetes(settings);
            Core.Topology.Topology? topology = null;
            if (settings.TopologyPath is { } tp)
            {
                var t = TopologyFile.Load(tp);
                if (!t.IsValid)
                {
                    foreach (var e in t.Errors)
                    {
                        Console.Error.WriteLine("error: " + e);
                    }
                    return 1;
                }
                topology = t.Topology;
            }
            IExecutor exec;
            try
            {
                exec = AuspexRuntime.CreateExecutor(settings.Orchestration, topology, null, TimeProvider.System);
            }
            catch (StartupException e)
            {
                foreach (var err in e.Errors)
                {
                    Console.Error.WriteLine($"error: {err}{(parse.GetValue(config) is null ? " (give --config with an orchestration section)" : "")}");
                }
                return 1;
            }
            using var temp = parse.GetValue(dataDir) is null && dir is null ? new FleetRunner.TempDir() : null;
            dir = parse.GetValue(dataDir) is { } d ? Path.GetFullPath(d) : dir ?? temp!.Path;
            Directory.CreateDirectory(dir);
            if (temp is not null)
            {
                Console.Error.WriteLine("auspex: no --data-dir or --config: plan state and audit go to a temporary store, removed at exit");
            }
            EmbeddedStore store;
            try
            {
                store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = Path.Combine(dir, "auspex.duckdb") });
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"error: cannot open the store in {dir}: {e.Message} (is `auspex serve` running on it? submit with POST /api/v1/plans instead)");
                return 1;
            }
            using (store)
            {
                try
                {
                    return await RunAsync(plan, exec, store, topology?.Tenant ?? TenantId.Default, parse.GetValue(dryRun), parse.GetValue(format) == "json", ct);
                }
                finally
                {
                    (exec as IDisposable)?.Dispose();
                }
            }
        });
        return cmd;
    }

    private static async Task<int> RunAsync(ExecutionPlan plan, IExecutor exec, EmbeddedStore store, TenantId tenant, bool dryRun, bool json, CancellationToken ct)
    {
        var options = new PlanRunnerOptions { RequireApproval = dryRun };
        var runner = PlanRunner.Create(store.State, exec, new SeriesHealthProbe(store.Series), options, TimeProvider.System);
        var actor = "cli:" + Environment.UserName;
        Console.Error.WriteLine($"auspex: plan {plan.Id} ({plan.Kind}, {plan.AllSteps().Count()} steps in {plan.Phases.Count} phases) on {exec.Name}{(dryRun ? ", dry run" : "")}");
        var submitted = await runner.SubmitAsync(tenant, plan, actor, ct);
        if (submitted.State is not { } state)
        {
            Console.Error.WriteLine($"error: {submitted.Message}");
            return 1;
        }
        foreach (var s in state.Steps)
        {
            Console.Error.WriteLine($"  dry run {Where(state, s)} {s.Step.Describe()}: {s.DryRun}");
        }
        if (!dryRun)
        {
            var seen = state.Steps.Select(s => (s.State, s.Attempts)).ToList();
            while (!state.IsTerminal && state.Status != PlanStatus.AwaitingApproval)
            {
                state = await runner.AdvanceAsync(tenant, plan.Id, ct) ?? state;
                for (var i = 0; i < state.Steps.Count; i++)
                {
                    var s = state.Steps[i];
                    if (seen[i] != (s.State, s.Attempts))
                    {
                        seen[i] = (s.State, s.Attempts);
                        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{state.Status}] {Where(state, s)} {s.Step.Describe()}: {s.State}{(s.Detail is null ? "" : " — " + s.Detail.ReplaceLineEndings(" | "))}"));
                    }
                }
                if (state.Steps.Any(s => s.State == StepState.Waiting))
                {
                    await Task.Delay(options.PollInterval, ct);
                }
            }
            Console.Error.WriteLine($"auspex: plan {plan.Id} {state.Status}{(state.Reason is null ? "" : ": " + state.Reason)}");
        }
        Console.Out.Write(json ? FleetRunner.Json(state) : FleetRunner.Table(["phase", "step", "kind", "description", "state", "dry run", "detail"], state.Steps.Select(s => (IReadOnlyList<string>)
            [(s.Phase + 1).ToString(CultureInfo.InvariantCulture) + " " + state.Plan.Phases[s.Phase].Name, (s.Index + 1).ToString(CultureInfo.InvariantCulture),
                Kind(s.Step), s.Step.Describe(), s.State.ToString(), Short(s.DryRun), Short(s.Detail)])));
        return dryRun
            ? state.Steps.Any(s => s.DryRun?.StartsWith("failed", StringComparison.OrdinalIgnoreCase) == true || s.DryRun?.StartsWith("unsupported", StringComparison.OrdinalIgnoreCase) == true) ? 1 : 0
            : state.Status == PlanStatus.Succeeded ? 0 : 1;
    }

    private static string Where(PlanState state, StepRecord s) =>
        string.Create(CultureInfo.InvariantCulture, $"phase {s.Phase + 1}/{state.Plan.Phases.Count} ({state.Plan.Phases[s.Phase].Name}) step {s.Index + 1}");

    private static string Kind(ExecutionStep step) => step switch
    {
        ScaleStep => "scale",
        PoolSizeStep => "pool-size",
        CordonStep => "cordon",
        DrainStep => "drain",
        LabelStep => "label",
        TaintStep => "taint",
        AffinityStep => "affinity",
        MoveStep => "move",
        ReplicaStep => "replica",
        TrafficStep => "traffic",
        GateStep => "gate",
        _ => step.GetType().Name,
    };

    private static string Short(string? text)
    {
        if (text is null)
        {
            return "-";
        }
        var line = text.ReplaceLineEndings(" | ");
        return line.Length > 100 ? line[..100] + "…" : line;
    }
}
