using System.Globalization;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Scoring.Internal;

namespace Auspex.Scoring;

/// <summary>Computes <see cref="FailureRisk"/> for hosts and rolls it up to racks, zones and regions.</summary>
internal sealed class RiskAssessor(ScoringOptions options)
{
    /// <summary>
    /// Every host's risk summed into itself and its ancestors, in host order (so each mean is computed with the same
    /// additions in the same order as a per-locality average over its hosts); the records and their reasons are
    /// written only when asked for (<see cref="RiskRows.Record"/>).
    /// </summary>
    public RiskRows Accumulate(FleetIndex index, FailureRateModel model, Func<int, string, HostCovariates> covariates, DateTimeOffset at)
    {
        var topology = index.Topology;
        var horizon = options.RiskHorizon;
        var window = new TimeRange(at, at + horizon);
        var posteriors = index.PosteriorsUnder(model);
        var n = index.Localities.Length;
        var acc = new Agg[n];
        for (var hi = 0; hi < index.Hosts.Length; hi++)
        {
            var li = index.Hosts[hi];
            var id = index.Localities[li].Id;
            var c = covariates(li, id);
            var m = RiskMath.Multiplier(c, options);
            var post = posteriors[hi];
            var maint = topology.Maintenance.Count == 0 ? null : topology.MaintenanceOf(id).FirstOrDefault(w => w.When.Overlaps(window));
            var p = maint is not null ? 1 : post.ProbabilityOfFailure(horizon, m);
            var reason = maint is null ? null : string.Create(CultureInfo.InvariantCulture,
                $"maintenance on {maint.Locality} {maint.When.Start:yyyy-MM-ddTHH:mmZ}–{maint.When.End:yyyy-MM-ddTHH:mmZ} ({maint.Reason}): certain unavailability");
            var rate = post.MeanPerHour;
            foreach (var pos in index.ChainPositions[li])
            {
                ref var a = ref acc[pos];
                a.P += p;
                a.Rate += rate;
                a.M += m;
                if (a.Count == 0 || m > a.TopM)
                {
                    // MaxBy keeps the first of equal maxima.
                    a.TopM = m;
                    a.TopC = c;
                }
                if (reason is not null)
                {
                    a.InMaint++;
                    a.FirstMaint ??= reason;
                }
                a.Count++;
            }
        }
        return new RiskRows(acc, options, (model.GlobalRatePerHour * 24 * 365.25).ToString("0.###", CultureInfo.InvariantCulture));
    }

    /// <summary>Per locality position, the sums over its hosts.</summary>
    internal sealed class RiskRows(Agg[] aggs, ScoringOptions options, string fleet)
    {
        public Agg[] Aggs { get; } = aggs;

        /// <summary>P(failure within the horizon): the mean over the locality's hosts.</summary>
        public double Probability(int li) => Aggs[li].P / Aggs[li].Count;

        /// <summary>The normalised risk part.</summary>
        public double Value(int li) => ScoreNormalizer.Linear(Probability(li), options.IntolerableRisk, 0);

        public FailureRisk Record(string id, int li)
        {
            var a = Aggs[li];
            var p = a.P / a.Count;
            var rate = a.Rate / a.Count * 24 * 365.25;
            var mult = a.M / a.Count;
            var reasons = new List<string>(3);
            if (a.FirstMaint is { } mr)
            {
                reasons.Add(a.Count == 1 ? mr : string.Create(CultureInfo.InvariantCulture, $"{a.InMaint} of {a.Count} host(s) in maintenance; first: {mr}"));
            }
            if (mult > 1.0001)
            {
                reasons.Add(string.Create(CultureInfo.InvariantCulture, $"covariates raise the rate ×{mult:0.##} on average (worst host ×{a.TopM:0.##}: {Describe(a.TopC)})"));
            }
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"history: {rate:0.###} failures per host-year (hierarchical gamma–Poisson posterior, pooled host→rack→zone; fleet {fleet})"));
            return new FailureRisk(id, p, options.RiskHorizon, a.Count, rate, mult, a.InMaint, reasons,
                ScoreNormalizer.Linear(p, options.IntolerableRisk, 0));
        }
    }

    internal struct Agg
    {
        public double P;
        public double Rate;
        public double M;
        public int Count;
        public int InMaint;
        public string? FirstMaint;
        public double TopM;
        public HostCovariates TopC;
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
