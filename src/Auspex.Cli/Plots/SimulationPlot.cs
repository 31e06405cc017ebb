using System.Globalization;
using Auspex.Simulation.Measures;
using Auspex.Simulation.Plots;
using ScottPlot;

namespace Auspex.Cli.Plots;

/// <summary>
/// The picture of a simulation: the offered load against each policy's ready capacity over the measured run, as a
/// PNG (ScottPlot on SkiaSharp). Capacity is drawn as steps (it changes when replicas become ready), demand as a line.
/// </summary>
internal static class SimulationPlot
{
    /// <summary>Most points drawn per line; longer timelines are reduced by bucket maxima (peaks stay visible).</summary>
    public const int MaxPoints = 4000;

    /// <summary>Renders <paramref name="result"/> to a PNG file of <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    public static void SavePng(SimulationResult result, string path, int width = 1400, int height = 700)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Timeline.Count == 0)
        {
            throw new ArgumentException("the simulation has no timeline to plot", nameof(result));
        }
        var plot = Build(result);
        plot.SavePng(path, width, height);
    }

    /// <summary>The plot (exposed for tests).</summary>
    internal static Plot Build(SimulationResult result)
    {
        var tl = result.Timeline;
        var t0 = tl[0].At;
        var hours = tl.Select(p => (p.At - t0).TotalHours).ToArray();
        var plot = new Plot();
        var demand = Reduce(hours, tl.Select(p => p.Demand).ToArray());
        var line = plot.Add.ScatterLine(demand.X, demand.Y, Color.FromHex("#000000"));
        line.LineWidth = 1.5f;
        line.LegendText = "demand (req/s)";
        for (var i = 0; i < result.Policies.Count; i++)
        {
            var cap = Reduce(hours, tl.Select(p => i < p.Capacity.Count ? p.Capacity[i] : double.NaN).ToArray());
            var s = plot.Add.ScatterLine(cap.X, cap.Y, PlotHelpers.Colour(i));
            s.ConnectStyle = ConnectStyle.StepHorizontal;
            s.LineWidth = 1.2f;
            var p = result.Policies[i];
            s.LegendText = string.Create(CultureInfo.InvariantCulture,
                $"{p.Policy}: {p.SloViolationMinutes:0.#} SLO-min, cost {p.Cost:0.00}, slack {p.MeanSlack:P0}");
        }
        plot.Title(string.Create(CultureInfo.InvariantCulture,
            $"{result.Trace}: demand and ready capacity per policy ({result.Start:yyyy-MM-dd HH:mm} → {result.End:yyyy-MM-dd HH:mm} UTC)"));
        plot.XLabel(string.Create(CultureInfo.InvariantCulture, $"hours since {t0:yyyy-MM-dd HH:mm} UTC"));
        plot.YLabel("requests per second");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.SetLimitsY(0, Math.Max(1, tl.Max(p => Math.Max(p.Demand, p.Capacity.Where(double.IsFinite).DefaultIfEmpty(0).Max())) * 1.08));
        return plot;
    }

    /// <summary>Bucket maxima down to <see cref="MaxPoints"/> points, so a week at one-second ticks stays drawable.</summary>
    internal static (double[] X, double[] Y) Reduce(double[] x, double[] y)
    {
        if (x.Length <= MaxPoints)
        {
            return (x, y);
        }
        var bucket = (int)Math.Ceiling(x.Length / (double)MaxPoints);
        var n = (x.Length + bucket - 1) / bucket;
        var rx = new double[n];
        var ry = new double[n];
        for (var b = 0; b < n; b++)
        {
            var from = b * bucket;
            var to = Math.Min(x.Length, from + bucket);
            rx[b] = x[from];
            var m = double.NaN;
            for (var k = from; k < to; k++)
            {
                if (double.IsFinite(y[k]) && (double.IsNaN(m) || y[k] > m))
                {
                    m = y[k];
                }
            }
            ry[b] = m;
        }
        return (rx, ry);
    }
}
