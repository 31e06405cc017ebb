using System.Globalization;
using Auspex.Simulation.Measures;
using ScottPlot;

namespace Auspex.Simulation.Plots;

/// <summary>
/// The trade-off frontier as a PNG: mean slack (x, %) against SLO-violation minutes (y, on a log(1 + minutes) axis so
/// 0 shows), one marker series per family joined in run order, points costing more than the default HPA ringed, the
/// clairvoyant bounds (<c>oracle</c>) as separate black stars, and the target box (slack &lt; 15 %, ≤ 20 % of the
/// default HPA's minutes; cost is the ring) shaded.
/// </summary>
public static class FrontierPlot
{
    /// <summary>Writes the PNG of <paramref name="frontier"/> (titled <paramref name="title"/>) to <paramref name="path"/>.</summary>
    public static void SavePng(FrontierSummary frontier, string title, string path, int width = 1200, int height = 750)
    {
        ArgumentNullException.ThrowIfNull(frontier);
        if (frontier.Points.Count == 0)
        {
            throw new ArgumentException("the frontier has no point to plot", nameof(frontier));
        }
        Build(frontier, title).SavePng(path, width, height);
    }

    /// <summary>The y coordinate of <paramref name="minutes"/>: log10(1 + minutes).</summary>
    public static double Y(double minutes) => Math.Log10(1 + Math.Max(0, minutes));

    /// <summary>The plot (exposed for tests).</summary>
    public static Plot Build(FrontierSummary frontier, string title)
    {
        ArgumentNullException.ThrowIfNull(frontier);
        var inv = CultureInfo.InvariantCulture;
        var plot = new Plot();
        var maxMinutes = frontier.Points.Max(p => p.Result.SloViolationMinutes);
        var maxSlack = Math.Max(20, frontier.Points.Max(p => p.Result.MeanSlack * 100));
        var top = Y(Math.Max(10, maxMinutes)) * 1.08;
        if (frontier.Baseline is not null)
        {
            // The box's height is the minute limit (0 when the HPA had none: drawn as a thin band on the x axis).
            var boxTop = Math.Max(Y(frontier.MinutesLimit), top * 0.015);
            var box = plot.Add.Rectangle(0, Frontier.SlackTarget * 100, 0, boxTop);
            box.FillStyle.Color = Color.FromHex("#2ca02c").WithAlpha(0.18);
            box.LineStyle.Color = Color.FromHex("#2ca02c");
            box.LineStyle.Width = 1;
            box.LegendText = string.Create(inv, $"target box: slack < {Frontier.SlackTarget:P0}, ≤ {frontier.MinutesLimit:0.##} min (20 % of HPA(0.7)), cost ≤ {frontier.CostLimit:0.00}");
        }
        var families = frontier.Points.Where(p => !p.IsBound).Select(p => p.Family).Distinct(StringComparer.Ordinal).ToList();
        for (var i = 0; i < families.Count; i++)
        {
            var pts = frontier.Points.Where(p => !p.IsBound && p.Family == families[i]).ToList();
            var s = plot.Add.Scatter(pts.Select(p => p.Result.MeanSlack * 100).ToArray(), pts.Select(p => Y(p.Result.SloViolationMinutes)).ToArray(), PlotHelpers.Colour(i));
            s.LineWidth = 1.5f;
            s.MarkerSize = 9;
            s.MarkerShape = MarkerShape.FilledCircle;
            s.LegendText = pts.Count == 1 ? $"{families[i]}" : $"{families[i]} ({string.Join(", ", pts.Select(p => p.Knob))})";
        }
        var expensive = frontier.Points.Where(p => !p.IsBound && frontier.Baseline is not null && p.Result.Cost > frontier.CostLimit + 1e-9).ToList();
        if (expensive.Count > 0)
        {
            var ring = plot.Add.Markers(expensive.Select(p => p.Result.MeanSlack * 100).ToArray(), expensive.Select(p => Y(p.Result.SloViolationMinutes)).ToArray(),
                MarkerShape.OpenCircle, 17, Colors.Black);
            ring.LegendText = "costs more than HPA(0.7)";
        }
        var bounds = frontier.Points.Where(p => p.IsBound).ToList();
        if (bounds.Count > 0)
        {
            var b = plot.Add.Markers(bounds.Select(p => p.Result.MeanSlack * 100).ToArray(), bounds.Select(p => Y(p.Result.SloViolationMinutes)).ToArray(),
                MarkerShape.FilledDiamond, 11, Colors.Black);
            b.LegendText = $"oracle: clairvoyant bound, not deployable ({string.Join(", ", bounds.Select(p => p.Knob))})";
        }
        foreach (var p in frontier.Points)
        {
            var label = plot.Add.Text(p.IsBound ? "oracle" + (p.Knob == "default" ? "" : ":" + p.Knob) : p.Knob == "default" ? p.Family : p.Knob, p.Result.MeanSlack * 100, Y(p.Result.SloViolationMinutes));
            label.LabelFontSize = 10;
            label.LabelFontColor = Colors.DimGray;
            label.OffsetX = 6;
            label.OffsetY = -4;
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var m in new double[] { 0, 1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000 }.Where(m => Y(m) <= top))
        {
            ticks.AddMajor(Y(m), m.ToString(inv));
        }
        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.SetLimits(0, maxSlack * 1.05, -top * 0.03, top);
        plot.Title(title);
        plot.XLabel("mean slack, % (Autopilot's time average of (limit − usage) ÷ limit)");
        plot.YLabel("SLO-violation minutes (log(1 + minutes) scale)");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }
}
