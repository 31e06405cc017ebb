using System.Globalization;
using System.Text;
using Auspex.Scoring;

namespace Auspex.Bench.Scoring;

/// <summary>
/// Rolling-origin calibration on a time split: from <c>cutoff</c> on, the span is cut into windows of length W; at the
/// start t0 of each window every predictor is refitted on the failures before t0 only, and predicts for every unit
/// alive through the whole window the probability of at least one failure in it. Predictors: the hierarchical
/// gamma–Poisson model (Auspex), the base rate (fraction of past unit-windows with a failure, the same for all),
/// complete pooling (one Poisson rate for all) and no pooling (each unit's own rate; 0 failures → 0).
/// </summary>
internal static class CalibrationBench
{
    private static readonly double[] Edges = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1];

    /// <summary>Half-lives tried (days; 0 = no discounting), chosen on the validation span before the cutoff.</summary>
    private static readonly double[] HalfLivesDays = [0, 30, 60, 90, 180, 365];

    public static string Run(FailureData data, DateTime cutoff, TimeSpan window, TimeSpan validation)
    {
        var sorted = data.Events.ToDictionary(e => e.Key, e => e.Value.Order().ToArray(), StringComparer.Ordinal);
        var selection = new List<(double Days, double Brier)>();
        foreach (var days in HalfLivesDays)
        {
            var (vp, _, _) = Evaluate(data, sorted, cutoff - validation, cutoff, window, days);
            selection.Add((days, Calibration.Brier(vp["hierarchical (Auspex)"])));
        }
        var chosen = selection.MinBy(x => x.Brier).Days;
        var (preds, windows, fitted) = Evaluate(data, sorted, cutoff, data.Units.Max(u => u.End), window, chosen);
        return Report(data, cutoff, window, validation, selection, chosen, preds, windows, fitted);
    }

    private static (Dictionary<string, List<(double P, bool Y)>> Preds, int Windows, List<string> Fitted) Evaluate(
        FailureData data, Dictionary<string, DateTime[]> sorted, DateTime from, DateTime end, TimeSpan window, double halfLifeDays)
    {
        var cutoff = from;
        var hl = halfLifeDays * 24;
        // Weight of something that happened `ageHours` before t0, and the weighted length of [a, b) (ages).
        double W(double ageHours) => hl <= 0 ? 1 : Math.Pow(2, -ageHours / hl);
        double Exposure(double ageStart, double ageEnd) => hl <= 0 ? ageStart - ageEnd : hl / Math.Log(2) * (W(ageEnd) - W(ageStart));
        var preds = new Dictionary<string, List<(double P, bool Y)>>(StringComparer.Ordinal)
        {
            ["hierarchical (Auspex)"] = [], ["base rate"] = [], ["base rate, last 365 days"] = [], ["complete pooling"] = [], ["no pooling"] = [],
        };
        var windows = 0;
        var fitted = new List<string>();
        for (var t0 = cutoff; t0 + window <= end; t0 += window)
        {
            windows++;
            var exposures = new List<FailureExposure>();
            long pastWindows = 0, pastHit = 0, recentWindows = 0, recentHit = 0;
            foreach (var u in data.Units.Where(u => u.Start < t0))
            {
                var ev = sorted.GetValueOrDefault(u.Id) ?? [];
                var to = u.End < t0 ? u.End : t0;
                var n = ev.Where(t => t >= u.Start && t < to).Sum(t => W((t0 - t).TotalHours));
                exposures.Add(new FailureExposure(u.Id, u.Path, Exposure((t0 - u.Start).TotalHours, (t0 - to).TotalHours), n));
                // Past windows aligned backwards from t0, for the base rate.
                for (var w = t0 - window; w >= u.Start; w -= window)
                {
                    if (w + window > u.End)
                    {
                        continue;
                    }
                    var hit = ev.Any(t => t >= w && t < w + window);
                    pastWindows++;
                    pastHit += hit ? 1 : 0;
                    if (t0 - w <= TimeSpan.FromDays(365))
                    {
                        recentWindows++;
                        recentHit += hit ? 1 : 0;
                    }
                }
            }
            var model = FailureRateModel.Fit(exposures);
            if (windows == 1)
            {
                fitted.Add(string.Join(", ", model.PriorStrengthHours.Select(s => s.ToString("G3", CultureInfo.InvariantCulture) + " h")));
            }
            var baseRate = pastWindows == 0 ? 0 : pastHit / (double)pastWindows;
            var recentRate = recentWindows == 0 ? baseRate : recentHit / (double)recentWindows;
            var pooled = 1 - Math.Exp(-model.GlobalRatePerHour * window.TotalHours);
            var byUnit = exposures.ToDictionary(e => e.Unit, StringComparer.Ordinal);
            foreach (var u in data.Units.Where(u => u.Start <= t0 && u.End >= t0 + window))
            {
                var ev = sorted.GetValueOrDefault(u.Id) ?? [];
                var y = ev.Any(t => t >= t0 && t < t0 + window);
                preds["hierarchical (Auspex)"].Add((model.Posterior(u.Path, u.Id).ProbabilityOfFailure(window), y));
                preds["base rate"].Add((baseRate, y));
                preds["base rate, last 365 days"].Add((recentRate, y));
                preds["complete pooling"].Add((pooled, y));
                var own = byUnit.TryGetValue(u.Id, out var e) && e.ExposureHours > 0 ? e.Failures / e.ExposureHours : 0;
                preds["no pooling"].Add((1 - Math.Exp(-own * window.TotalHours), y));
            }
        }
        return (preds, windows, fitted);
    }

    private static string Report(FailureData data, DateTime cutoff, TimeSpan window, TimeSpan validation, List<(double Days, double Brier)> selection,
        double chosen, Dictionary<string, List<(double P, bool Y)>> preds, int windows, List<string> fitted)
    {
        var sb = new StringBuilder();
        var all = preds["base rate"];
        sb.AppendLine(CultureInfo.InvariantCulture, $"### {data.Name}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"{data.Units.Count} units, {data.Events.Values.Sum(v => v.Count)} failures. Test: {windows} windows of {window.TotalDays:0} days from {cutoff:yyyy-MM-dd}, {all.Count} unit-windows, {all.Count(p => p.Y)} with a failure ({all.Count(p => p.Y) / (double)all.Count:0.####}). Prior strengths at the first refit (groups outermost first, units last): {fitted[0]}.");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"History half-life chosen on the {validation.TotalDays:0} days before the cutoff (hierarchical Brier there): {string.Join(", ", selection.Select(x => (x.Days == 0 ? "none" : x.Days.ToString("0", CultureInfo.InvariantCulture) + " d") + " " + x.Brier.ToString("0.00000", CultureInfo.InvariantCulture)))} → **{(chosen == 0 ? "none" : chosen.ToString("0", CultureInfo.InvariantCulture) + " days")}** (also used by the no/complete pooling rows; the base rate is the fraction of all past unit-windows with a failure).");
        sb.AppendLine();
        sb.AppendLine("| predictor | Brier | Brier skill vs base rate | log loss |");
        sb.AppendLine("|---|---|---|---|");
        var bBase = Calibration.Brier(preds["base rate"]);
        foreach (var (name, list) in preds)
        {
            var b = Calibration.Brier(list);
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {b:0.00000} | {Calibration.SkillScore(b, bBase):+0.000;-0.000;0.000} | {Calibration.LogLoss(list):0.0000} |");
        }
        sb.AppendLine();
        sb.AppendLine("Reliability (predicted bin → count, mean predicted, observed frequency):");
        sb.AppendLine();
        sb.AppendLine("| bin | hierarchical n | mean p | observed | base rate n | mean p | observed |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        var h = Calibration.Reliability(preds["hierarchical (Auspex)"], Edges);
        var br = Calibration.Reliability(preds["base rate"], Edges);
        for (var i = 0; i < h.Count; i++)
        {
            if (h[i].Count == 0 && br[i].Count == 0)
            {
                continue;
            }
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| [{h[i].Lo:0.##}, {h[i].Hi:0.##}) | {h[i].Count} | {Fmt(h[i].MeanPredicted)} | {Fmt(h[i].ObservedRate)} | {br[i].Count} | {Fmt(br[i].MeanPredicted)} | {Fmt(br[i].ObservedRate)} |");
        }
        sb.AppendLine();
        return sb.ToString();
    }

    private static string Fmt(double v) => double.IsNaN(v) ? "–" : v.ToString("0.0000", CultureInfo.InvariantCulture);
}
