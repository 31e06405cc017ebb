using System.Globalization;
using Auspex.Core.Series;
using Auspex.Core.Topology;

using Auspex.Scoring;
using Auspex.Scoring.Internal;

namespace Auspex.Scoring.Tests.Reference;

// The straightforward scoring path as it was before the speed work (2026-12-04), kept unchanged as the reference the
// optimised ReferenceLocalityScorer is checked against (ReferenceScorerTests).

/// <summary>Computes <see cref="FailureRisk"/> for hosts and rolls it up to racks, zones and regions.</summary>
internal sealed class ReferenceRiskAssessor(ScoringOptions options)
{
    public Dictionary<string, FailureRisk> Compute(Topology topology, FailureRateModel model, Func<string, HostCovariates> covariates,
        DateTimeOffset at, IEnumerable<string> localities)
    {
        var horizon = options.RiskHorizon;
        var window = new TimeRange(at, at + horizon);
        var hostRisk = new Dictionary<string, (double P, double Rate, double M, string? Maint, HostCovariates C)>(StringComparer.Ordinal);
        foreach (var h in topology.Hosts)
        {
            var c = covariates(h.Id);
            var m = RiskMath.Multiplier(c, options);
            var post = model.Posterior(FailureHistory.PathOf(topology, h.Id), h.Id);
            var maint = topology.Maintenance.Count == 0 ? null : topology.MaintenanceOf(h.Id).FirstOrDefault(w => w.When.Overlaps(window));
            var p = maint is not null ? 1 : post.ProbabilityOfFailure(horizon, m);
            var reason = maint is null ? null : string.Create(CultureInfo.InvariantCulture,
                $"maintenance on {maint.Locality} {maint.When.Start:yyyy-MM-ddTHH:mmZ}–{maint.When.End:yyyy-MM-ddTHH:mmZ} ({maint.Reason}): certain unavailability");
            hostRisk[h.Id] = (p, post.MeanPerHour, m, reason, c);
        }
        var under = new Dictionary<string, List<(double P, double Rate, double M, string? Maint, HostCovariates C)>>(StringComparer.Ordinal);
        foreach (var (hostId, hr) in hostRisk)
        {
            for (var l = topology.Find(hostId); l is not null; l = l.Parent is { } pid ? topology.Find(pid) : null)
            {
                if (!under.TryGetValue(l.Id, out var list))
                {
                    under[l.Id] = list = [];
                }
                list.Add(hr);
            }
        }
        var result = new Dictionary<string, FailureRisk>(StringComparer.Ordinal);
        foreach (var id in localities)
        {
            if (!under.TryGetValue(id, out var hosts))
            {
                continue;
            }
            var p = hosts.Average(x => x.P);
            var rate = hosts.Average(x => x.Rate) * 24 * 365.25;
            var mult = hosts.Average(x => x.M);
            var inMaint = hosts.Count(x => x.Maint is not null);
            var reasons = new List<string>();
            if (hosts.FirstOrDefault(x => x.Maint is not null).Maint is { } mr)
            {
                reasons.Add(hosts.Count == 1 ? mr : string.Create(CultureInfo.InvariantCulture, $"{inMaint} of {hosts.Count} host(s) in maintenance; first: {mr}"));
            }
            if (mult > 1.0001)
            {
                var top = hosts.MaxBy(x => x.M);
                reasons.Add(string.Create(CultureInfo.InvariantCulture, $"covariates raise the rate ×{mult:0.##} on average (worst host ×{top.M:0.##}: {Describe(top.C)})"));
            }
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"history: {rate:0.###} failures per host-year (hierarchical gamma–Poisson posterior, pooled host→rack→zone; fleet {model.GlobalRatePerHour * 24 * 365.25:0.###})"));
            result[id] = new FailureRisk(id, p, horizon, hosts.Count, rate, mult, inMaint, reasons,
                ScoreNormalizer.Linear(p, options.IntolerableRisk, 0));
        }
        return result;
    }

    private static string Describe(HostCovariates c)
    {
        var parts = new List<string>();
        if (c.TemperatureCelsius is { } t)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{t:0.#} °C"));
        }
        if (c.Utilisation is { } u)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"utilisation {u * 100:0}%"));
        }
        if (c.AnomalyScore is { } a)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"anomaly {a:0.##}"));
        }
        return string.Join(", ", parts);
    }
}
