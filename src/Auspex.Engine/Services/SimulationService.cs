using System.Globalization;
using System.Text;
using System.Text.Json;
using Auspex.Simulation;
using Auspex.Simulation.Measures;
using Auspex.Simulation.Policies;
using Auspex.Simulation.Traces;
using Auspex.Simulation.World;

namespace Auspex.Engine.Services;

/// <summary>Runs policy comparisons on a trace (<c>auspex simulate</c>) and formats them. The CLI and HTTP call this.</summary>
public static class SimulationService
{
    /// <summary>
    /// Reads the trace file, builds the named policies and runs them side by side. Errors name the file or policy. With
    /// <paramref name="zeroGaps"/>, runs of at least that long of exactly zero demand are marked missing (an outage of the
    /// source, as the benchmark's <c>--zero-gaps</c>), so mean slack leaves them out; a warning says how many intervals.
    /// </summary>
    public static (SimulationResult? Result, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings) Run(
        string tracePath, IReadOnlyList<string> policyNames, WorldOptions world, string model = "mstl", IProgress<SimulationProgress>? progress = null,
        CancellationToken ct = default, TimeSpan? zeroGaps = null)
    {
        ArgumentNullException.ThrowIfNull(policyNames);
        ArgumentNullException.ThrowIfNull(world);
        var read = TraceCsv.ReadFile(tracePath);
        if (!read.Ok)
        {
            return (null, read.Errors, []);
        }
        var unknown = policyNames.Where(n => !PolicyCatalog.IsKnown(n)).ToList();
        if (unknown.Count > 0)
        {
            return (null, unknown.Select(u => $"unknown policy '{u}' (known: {string.Join(", ", PolicyCatalog.Descriptions.Keys)})").ToList(), read.Warnings);
        }
        var trace = read.Trace!;
        var warnings = read.Warnings;
        if (zeroGaps is { } zg)
        {
            if (zg <= TimeSpan.Zero)
            {
                return (null, [$"the shortest zero run to mark missing must be positive, got {zg}"], warnings);
            }
            var before = trace.MissingCount;
            trace = trace.WithZeroRunsAsMissing(zg);
            if (trace.MissingCount > before)
            {
                warnings = [.. warnings, string.Create(CultureInfo.InvariantCulture,
                    $"{trace.MissingCount - before} intervals in runs of zeros of at least {zg.TotalMinutes:0.#} min marked missing (left out of mean slack)")];
            }
        }
        var scale = Simulator.ScaleFor(trace, world);
        List<IScalingPolicy> policies;
        try
        {
            policies = policyNames.Select(n => PolicyCatalog.Create(n, trace.PeakRate * scale, model)!).ToList();
        }
        catch (ArgumentException e)
        {
            // A parameterised auspex-lean name with a bad key or value; the message names it.
            return (null, [e.Message], warnings);
        }
        var (result, errors) = Simulator.Run(trace, policies, world, progress, ct);
        return (result, errors, warnings);
    }

    /// <summary>The comparison as a table (kubectl style).</summary>
    public static string Table(SimulationResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var inv = CultureInfo.InvariantCulture;
        var rows = new List<string[]> { new[] { "POLICY", "SLO-VIOLATION-MIN", "COST", "MEAN-SLACK", "SCALING-ACTIONS", "PREEMPTIONS", "FAILURES", "DROPPED", "PEAK-REPLICAS" } };
        rows.AddRange(r.Policies.Select(p => new[]
        {
            p.Policy, p.SloViolationMinutes.ToString("0.#", inv), p.Cost.ToString("0.00", inv), p.MeanSlack.ToString("P1", inv),
            p.ScalingActions.ToString(inv), p.Preemptions.ToString(inv), p.Failures.ToString(inv), p.DroppedFraction.ToString("P3", inv), p.PeakReplicas.ToString(inv),
        }));
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(row => row[i].Length)).ToArray();
        var sb = new StringBuilder();
        sb.Append(inv, $"trace {r.Trace}: measured {r.Start:yyyy-MM-dd HH:mm} → {r.End:yyyy-MM-dd HH:mm} UTC, tick {r.Tick.TotalSeconds} s, peak {r.PeakDemand:0} req/s\n");
        foreach (var row in rows)
        {
            sb.AppendJoin("   ", row.Select((c, i) => c.PadRight(widths[i]))).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The comparison as a JSON array, one object per policy (snake_case fields).</summary>
    public static string Json(SimulationResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var rows = r.Policies.Select(p => new Dictionary<string, object>
        {
            ["policy"] = p.Policy, ["slo_violation_minutes"] = p.SloViolationMinutes, ["cost"] = p.Cost, ["mean_slack"] = p.MeanSlack,
            ["scaling_actions"] = p.ScalingActions, ["preemptions"] = p.Preemptions, ["failures"] = p.Failures,
            ["preemption_violation_minutes"] = p.PreemptionViolationMinutes, ["dropped_fraction"] = p.DroppedFraction,
            ["replica_hours"] = p.ReplicaHours, ["peak_replicas"] = p.PeakReplicas, ["forecasts"] = p.Forecasts,
            ["mean_slack_all_ticks"] = p.MeanSlackAllTicks, ["missing_minutes"] = p.MissingMinutes, ["resizes"] = p.Resizes,
            ["sized_replica_hours"] = p.SizedReplicaHours,
            ["trace"] = r.Trace, ["from"] = r.Start, ["to"] = r.End,
        });
        return JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true });
    }
}
