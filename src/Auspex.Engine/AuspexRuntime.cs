using System.Globalization;
using Auspex.Core.Topology;
using Auspex.Engine.Clock;
using Auspex.Engine.Configuration;
using Auspex.Engine.Demo;
using Auspex.Engine.Loop;
using Auspex.Engine.Services;
using Auspex.Engine.Scaling;
using Auspex.Ingestion.Csv;
using Auspex.Orchestration.Execution;
using Auspex.Orchestration.Pool;
using Auspex.Storage;

namespace Auspex.Engine;

/// <summary>
/// The running product for one tenant: the store, the topology, the control loop and the application services.
/// Server and CLI create it with <see cref="StartAsync"/> and run <see cref="RunLoopAsync"/>.
/// </summary>
public sealed class AuspexRuntime : IAsyncDisposable
{
    private readonly EmbeddedStore _store;

    private AuspexRuntime(EmbeddedStore store, TopologyHolder topology, ControlLoop loop, ImportService import, TraceReplayer? replayer, AlertService alerts)
    {
        Alerts = alerts;
        _store = store;
        Topology = topology;
        Loop = loop;
        Imports = import;
        Replayer = replayer;
        Fleet = new FleetService(store, topology, loop);
        Shadow = new ShadowService(store, loop, topology);
        Ingest = new IngestService(store);
    }

    /// <summary>The tenant's topology.</summary>
    public TopologyHolder Topology { get; }

    /// <summary>The control loop.</summary>
    public ControlLoop Loop { get; }

    /// <summary>Read-side service.</summary>
    public FleetService Fleet { get; }

    /// <summary>The shadow infrastructure and what-if service.</summary>
    public ShadowService Shadow { get; }

    /// <summary>Pushed-sample ingestion.</summary>
    public IngestService Ingest { get; }

    /// <summary>Configured scrape jobs, Prometheus sources and remote_write sinks (run by <see cref="RunLoopAsync"/>).</summary>
    public Pipeline.MetricsPipeline Pipeline { get; private set; } = null!;

    /// <summary>Alert rules, states, history, silences and delivery.</summary>
    public AlertService Alerts { get; }

    /// <summary>Import service.</summary>
    public ImportService Imports { get; }

    /// <summary>The loop's scaling stage, its decisions and the replicas the executor reached.</summary>
    public ScalingService Scaling { get; private set; } = null!;

    /// <summary>The executor plans and scaling decisions run on (orchestration.executor).</summary>
    public IExecutor Executor => Scaling.Executor;

    /// <summary>The replayer when running a replay (the demo), else null.</summary>
    public TraceReplayer? Replayer { get; }

    /// <summary>The stores.</summary>
    public EmbeddedStore Store => _store;

    /// <summary>
    /// Opens the store, imports the topology and files, and prepares the loop (and the replay clock when asked).
    /// Throws <see cref="StartupException"/> with every problem when the settings or files are invalid.
    /// </summary>
    public static async Task<AuspexRuntime> StartAsync(RuntimeSettings settings, Action<string>? progress = null, TimeProvider? clock = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Engine.Validate();
        var log = progress ?? (_ => { });
        Directory.CreateDirectory(settings.DataDirectory);
        var dbPath = Path.Combine(settings.DataDirectory, "auspex.duckdb");
        if (settings.Fresh)
        {
            File.Delete(dbPath);
            File.Delete(dbPath + ".wal");
            AuspexStorage.DeleteHeadLogs(dbPath);
        }
        var store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = dbPath });
        if (store.HeadLogRecovery is { } recovery)
        {
            log("storage: " + recovery);
        }
        if (store.SegmentRecovery is { } segments)
        {
            log("storage: segment files: " + segments);
        }
        try
        {
            var wall = clock ?? TimeProvider.System;
            var import = new ImportService(store, wall);
            Topology? topology = null;
            if (settings.TopologyPath is { } tp)
            {
                var r = await import.ImportTopologyAsync(tp, "startup", ct).ConfigureAwait(false);
                if (!r.IsValid)
                {
                    throw new StartupException(r.Errors);
                }
                topology = r.Topology;
                log($"topology {tp}: {topology!.Localities.Count} localities, {topology.Hosts.Count()} hosts, {topology.Components.Count} components");
            }
            else
            {
                topology = await FindStoredTopologyAsync(import, ct).ConfigureAwait(false)
                    ?? throw new StartupException(["no topology: give a topology file (topology: in the config, or --topology)"]);
            }
            if (settings.Retention is { } ret)
            {
                await store.Series.SetRetentionAsync(topology.Tenant, ret, ct).ConfigureAwait(false);
            }
            foreach (var f in settings.ImportFiles)
            {
                await ImportOnceAsync(store, import, topology, f, log, ct).ConfigureAwait(false);
            }
            TraceReplayer? replayer = null;
            var loopClock = wall;
            if (settings.Replay is { } replay)
            {
                var series = new List<Core.Series.SeriesData>();
                foreach (var f in replay.Files)
                {
                    var read = LongCsv.ReadFile(f);
                    if (!read.Ok)
                    {
                        throw new StartupException(read.Errors);
                    }
                    series.AddRange(read.Series);
                    log($"replay {f}: {read.Series.Count} series, {read.Rows} rows");
                }
                replayer = new TraceReplayer(store.Series, topology.Tenant, series);
                var start = replayer.Start + replay.WarmUp;
                var written = await replayer.AppendUpToAsync(start, ct).ConfigureAwait(false);
                log(string.Create(CultureInfo.InvariantCulture, $"replay clock starts at {start:O} running {replay.Speed:0.##}× ({written} samples of warm-up history written)"));
                loopClock = new AcceleratedTimeProvider(start, replay.Speed, wall);
            }
            var holder = new TopologyHolder(topology);
            // The loop forecasts the component series orchestration.scaling.demand names, beside the default ones.
            var demandMetrics = settings.Orchestration.Scaling.Demand.Values.Select(d => d.Metric).Where(m => !settings.Engine.ComponentMetrics.Contains(m)).Distinct().ToList();
            if (demandMetrics.Count > 0)
            {
                settings.Engine.ComponentMetrics = [.. settings.Engine.ComponentMetrics, .. demandMetrics];
            }
            var loop = new ControlLoop(store, () => holder.Current, loopClock, settings.Engine);
            if (replayer is not null)
            {
                loop.BeforeTick = (now, token) => replayer.AppendUpToAsync(now, token);
            }
            var alerts = new AlertService(store.State, topology.Tenant, settings.Alerts, wall, store: store.Alerts);
            await alerts.LoadAsync(ct).ConfigureAwait(false);
            alerts.Attach(loop);
            var runtime = new AuspexRuntime(store, holder, loop, new ImportService(store, loopClock), replayer, alerts);
            runtime.Scaling = CreateScaling(settings.Orchestration, holder, loop, store, wall, log);
            if (runtime.Scaling.Mode != ScalingStageMode.Off)
            {
                loop.AfterTick = (results, token) => runtime.Scaling.TickAsync(results, token);
            }
            runtime.Pipeline = new Pipeline.MetricsPipeline(settings.Pipeline, runtime.Ingest, store, loop, wall);
            foreach (var line in runtime.Pipeline.Describe())
            {
                log(line);
            }
            return runtime;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private static ScalingService CreateScaling(OrchestrationSettings o, TopologyHolder holder, ControlLoop loop, EmbeddedStore store, TimeProvider wall, Action<string> log)
    {
        var problems = o.Validate();
        if (problems.Count > 0)
        {
            throw new StartupException(problems);
        }
        var topology = holder.Current;
        var tiers = topology.Tiers.ToList();
        var quotas = new Dictionary<string, int>(StringComparer.Ordinal);
        if (o.Scaling.PricingFile is { } pricing)
        {
            using var reader = File.OpenText(pricing);
            var (sheet, errors) = TierPool.ParseCsv(reader);
            if (sheet is null || errors.Count > 0)
            {
                throw new StartupException(errors.Select(e => $"{pricing}: {e}").DefaultIfEmpty($"{pricing}: no valid tier").ToList());
            }
            foreach (var t in sheet.Tiers)
            {
                tiers.Add(t);
                if (sheet.MaxUnits(t.Key()) is { } m)
                {
                    quotas[t.Key()] = m;
                }
            }
        }
        var (pool, poolErrors) = TierPool.TryCreate(tiers, quotas);
        if (pool is null)
        {
            throw new StartupException(poolErrors.Select(e => "orchestration tier pool: " + e).ToList());
        }
        var initial = ScalingService.InitialReplicas(topology, pool);
        var executor = CreateExecutor(o, topology, initial, wall);
        log(string.Create(CultureInfo.InvariantCulture,
            $"orchestration: executor {executor.Name}, scaling {o.Scaling.Mode}, pool of {pool.Tiers.Count} tiers ({string.Join(", ", pool.Tiers.Select(t => t.Key()))})"));
        return new ScalingService(loop, executor, o, pool, initial, store.State);
    }

    /// <summary>
    /// The executor <paramref name="o"/> names: simulated (a cluster mirroring <paramref name="topology"/> with
    /// <paramref name="initial"/> replicas per tier, empty without a topology), terraform, webhook, or kubernetes
    /// through the host's factory. Throws <see cref="StartupException"/> when the settings are invalid.
    /// </summary>
    public static IExecutor CreateExecutor(OrchestrationSettings o, Topology? topology, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>? initial, TimeProvider wall)
    {
        ArgumentNullException.ThrowIfNull(o);
        var problems = o.Validate();
        if (problems.Count > 0)
        {
            throw new StartupException(problems);
        }
        return o.Executor switch
        {
            ExecutorNames.Terraform => new TerraformExecutor(o.Terraform!),
            ExecutorNames.Webhook => new WebhookExecutor(o.Webhook!, wall),
            ExecutorNames.Kubernetes => o.KubernetesExecutorFactory?.Invoke(o.Kubernetes)
                ?? throw new StartupException(["orchestration.executor kubernetes is available in auspex serve and auspex demo, which host the Kubernetes integration"]),
            _ => topology is null ? new SimulatedExecutor() : Simulated(topology, initial ?? new Dictionary<string, IReadOnlyDictionary<string, int>>()),
        };
    }

    private static SimulatedExecutor Simulated(Topology topology, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> initial)
    {
        var sim = new SimulatedExecutor();
        foreach (var h in topology.Hosts)
        {
            sim.AddNode(h.Id);
        }
        foreach (var c in topology.Components)
        {
            sim.SeedPlacement(c.Id, c.Placement);
            foreach (var (tier, n) in initial.GetValueOrDefault(c.Id) ?? new Dictionary<string, int>())
            {
                sim.Seed(c.Id, tier, n);
            }
        }
        return sim;
    }

    private static async Task<Topology?> FindStoredTopologyAsync(ImportService import, CancellationToken ct)
    {
        // Single-tenant installations keep their topology under the tenant named in it; look for any.
        foreach (var tenant in new[] { "default", "demo" })
        {
            var t = await import.LoadTopologyAsync(new Core.Series.TenantId(tenant), ct).ConfigureAwait(false);
            if (t is not null)
            {
                return t;
            }
        }
        return null;
    }

    private static async Task ImportOnceAsync(EmbeddedStore store, ImportService import, Topology topology, string file, Action<string> log, CancellationToken ct)
    {
        var info = new FileInfo(file);
        var fingerprint = string.Create(CultureInfo.InvariantCulture, $"{info.Length}:{info.LastWriteTimeUtc.Ticks}");
        var seen = await store.State.GetAsync(topology.Tenant, "import", info.FullName, ct).ConfigureAwait(false);
        if (seen == "\"" + fingerprint + "\"")
        {
            log($"import {file}: unchanged since the last import, skipped");
            return;
        }
        var r = await import.ImportCsvAsync(topology.Tenant, file, "startup", ct).ConfigureAwait(false);
        if (!r.Ok)
        {
            throw new StartupException(r.Errors);
        }
        await store.State.PutAsync(topology.Tenant, "import", info.FullName, "\"" + fingerprint + "\"", TimeProvider.System.GetUtcNow(), ct).ConfigureAwait(false);
        log($"import {file}: {r.Series} series, {r.Samples} samples");
    }

    /// <summary>Runs the loop, the configured scrape jobs, sources and sinks, and alert delivery until cancelled.</summary>
    public Task RunLoopAsync(CancellationToken ct) => Task.WhenAll(Loop.RunAsync(ct), Pipeline.RunAsync(ct), Alerts.RunDeliveryAsync(ct));

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Pipeline?.Dispose();
        (Scaling?.Executor as IDisposable)?.Dispose();
        Alerts.Dispose();
        _store.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The runtime could not start; <see cref="Errors"/> says why, each naming the file and line where it can.</summary>
public sealed class StartupException(IReadOnlyList<string> errors) : Exception(string.Join(Environment.NewLine, errors))
{
    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Errors { get; } = errors;
}
