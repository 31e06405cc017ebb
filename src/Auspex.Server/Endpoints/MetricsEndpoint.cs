using System.Globalization;
using System.Text;
using Auspex.Engine;
using Auspex.Engine.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Auspex.Server.Endpoints;

/// <summary>/metrics in the Prometheus text format 0.0.4: the loop's own health and every locality's latest score.</summary>
internal static class MetricsEndpoint
{
    public static IEndpointRouteBuilder MapMetricsEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", async (AuspexRuntime rt, FleetService fleet, CancellationToken ct) =>
        {
            var sb = new StringBuilder();
            var loop = rt.Loop;
            var last = loop.LastTick;
            Single(sb, "auspex_loop_ticks_total", "counter", "Ticks the control loop completed.", loop.Ticks);
            Single(sb, "auspex_loop_tick_failures_total", "counter", "Ticks that failed.", loop.Failures);
            if (last is not null)
            {
                Single(sb, "auspex_loop_last_tick_duration_seconds", "gauge", "Wall time of the last tick.", last.Elapsed.TotalSeconds);
                Single(sb, "auspex_loop_last_tick_timestamp_seconds", "gauge", "The loop clock's time of the last tick.", last.At.ToUnixTimeMilliseconds() / 1000.0);
                Single(sb, "auspex_loop_last_tick_forecasts", "gauge", "Series forecast in the last tick.", last.Forecasts);
            }
            Single(sb, "auspex_ingest_samples_total", "counter", "Pushed samples stored (remote_write, Influx).", rt.Ingest.AcceptedTotal);
            Header(sb, "auspex_ingest_samples_dropped_total", "counter", "Pushed samples skipped, by reason (stale markers; other NaN or infinite values).");
            Sample(sb, "auspex_ingest_samples_dropped_total", [("reason", "stale")], rt.Ingest.StaleTotal);
            Sample(sb, "auspex_ingest_samples_dropped_total", [("reason", "non_finite")], rt.Ingest.NaNTotal);
            Single(sb, "auspex_ingest_overloaded_total", "counter", "Push requests refused with 429 because writes were saturated.", rt.Ingest.OverloadedTotal);
            var scores = await fleet.LatestScoresAsync(ct);
            var kinds = rt.Topology.Current.Localities.ToDictionary(l => l.Id, l => l.KindName, StringComparer.Ordinal);
            Header(sb, "auspex_locality_desirability", "gauge", "Latest desirability of each locality (0-1, 1 = desirable).");
            foreach (var s in scores)
            {
                Sample(sb, "auspex_locality_desirability", [("locality", s.Locality), ("kind", kinds.GetValueOrDefault(s.Locality, "unknown"))], s.Desirability);
            }
            Header(sb, "auspex_locality_score_part", "gauge", "Each normalised part of a locality's latest score (0-1).");
            foreach (var s in scores)
            {
                foreach (var p in s.Parts)
                {
                    Sample(sb, "auspex_locality_score_part", [("locality", s.Locality), ("part", p.Key)], p.Value.Value);
                }
            }
            // Forecasts as ordinary series, named like Grafana ML's: <metric>:predicted{..., quantile, auspex_model,
            // auspex_horizon} = the value predicted one loop horizon ahead, so alert rules and the HPA (through
            // prometheus-adapter) can use them.
            // One fixed horizon keeps the label set stable: 1 h, or less when the loop forecasts less far (a forecast's
            // last point can fall up to one interval short of issue time + horizon).
            var ahead = TimeSpan.FromTicks(Math.Min(TimeSpan.FromHours(1).Ticks, (loop.Options.Horizon - loop.Options.Interval).Ticks));
            if (loop.Latest is { } latest && ahead > TimeSpan.Zero)
            {
                // Host series, the components' own series, and the demand the scaling stage sizes a component on from its
                // hosts' CPU shares (auspex_component_cpu_demand_cores{component}) when it has no series of its own.
                var shares = rt.Topology.Current.Components
                    .Select(c => rt.Scaling?.DemandOf(c.Id))
                    .Where(d => d is { Demand: { Kind: "hostShare", Demand: not null } })
                    .Select(d => d!.Value.Demand.Demand!);
                var predicted = latest.Forecasts.Select(f => f.Forecast).Concat(latest.ComponentForecasts).Concat(shares)
                    .SelectMany(f => Auspex.Ingestion.Sink.ForecastSeries.Ahead(f, ahead))
                    .GroupBy(s => s.Key.Metric, StringComparer.Ordinal);
                foreach (var family in predicted)
                {
                    Header(sb, family.Key, "gauge", $"Forecast of {family.Key[..^Auspex.Ingestion.Sink.ForecastSeries.Suffix.Length]} one horizon ahead (mean without a quantile label, else the quantile).");
                    foreach (var series in family)
                    {
                        if (series.Samples.Count > 0)
                        {
                            Sample(sb, family.Key, series.Key.Labels.Select(l => (l.Key, l.Value)).ToArray(), series.Samples[^1].Value);
                        }
                    }
                }
            }
            return Results.Text(sb.ToString(), "text/plain; version=0.0.4; charset=utf-8");
        }).ExcludeFromDescription();
        return app;
    }

    private static void Header(StringBuilder sb, string name, string type, string help) =>
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
          .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Single(StringBuilder sb, string name, string type, string help, double value)
    {
        Header(sb, name, type, help);
        Sample(sb, name, [], value);
    }

    private static void Sample(StringBuilder sb, string name, (string Name, string Value)[] labels, double value)
    {
        sb.Append(name);
        if (labels.Length > 0)
        {
            sb.Append('{').AppendJoin(',', labels.Select(l => l.Name + "=\"" + Escape(l.Value) + "\"")).Append('}');
        }
        sb.Append(' ').Append(Format(value)).Append('\n');
    }

    private static string Escape(string v) => v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Format(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);
}
