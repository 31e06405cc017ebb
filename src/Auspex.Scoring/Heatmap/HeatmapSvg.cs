using System.Globalization;
using System.Security;
using System.Text;

namespace Auspex.Scoring;

/// <summary>Renders a <see cref="Heatmap"/> as a standalone SVG document (zones stacked, one row per rack, one square per host, tooltips).</summary>
public static class HeatmapSvg
{
    private const int Cell = 14;
    private const int Gap = 2;
    private const int Label = 110;

    /// <summary>The SVG text.</summary>
    public static string Render(Heatmap heatmap)
    {
        ArgumentNullException.ThrowIfNull(heatmap);
        var maxHosts = Math.Max(1, heatmap.Zones.SelectMany(z => z.Racks).Select(r => r.Hosts.Count).DefaultIfEmpty(1).Max());
        var width = Label + maxHosts * (Cell + Gap) + 10;
        var body = new StringBuilder();
        var y = 24;
        foreach (var z in heatmap.Zones)
        {
            body.Append(Inv($"<text x=\"4\" y=\"{y + 12}\" font-weight=\"bold\">{Esc(z.Id)} {Pct(z.Desirability)}</text>\n"));
            y += 18;
            foreach (var r in z.Racks)
            {
                body.Append(Inv($"<text x=\"8\" y=\"{y + 11}\">{Esc(r.Id)} {Pct(r.Desirability)}</text>\n"));
                var x = Label;
                foreach (var h in r.Hosts)
                {
                    var tip = h.Desirability is { } d
                        ? Inv($"{h.Locality}: desirability {d:0.###}; lowest part {h.WorstPart} {h.WorstValue:0.###}")
                        : h.Locality + ": not scored";
                    body.Append(Inv($"<rect x=\"{x}\" y=\"{y}\" width=\"{Cell}\" height=\"{Cell}\" fill=\"{h.Colour}\"><title>{Esc(tip)}</title></rect>\n"));
                    x += Cell + Gap;
                }
                y += Cell + Gap;
            }
            y += 6;
        }
        var sb = new StringBuilder();
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{y + 4}\" font-family=\"sans-serif\" font-size=\"11\">\n"));
        sb.Append(Inv($"<text x=\"4\" y=\"14\">Locality desirability at {heatmap.At:yyyy-MM-ddTHH:mmZ} (green = desirable, red = not)</text>\n"));
        sb.Append(body);
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string Pct(double? d) => d is { } v ? Inv($"{v:0.00}") : "–";

    private static string Esc(string s) => SecurityElement.Escape(s) ?? "";

    private static string Inv(FormattableString f) => f.ToString(CultureInfo.InvariantCulture);
}
