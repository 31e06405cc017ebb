using System.Globalization;
using Auspex.Scoring;
using SkiaSharp;

namespace Auspex.Cli.Plots;

/// <summary>
/// The heatmap (<see cref="Heatmap"/>) as a PNG, drawn with SkiaSharp in the layout of <see cref="HeatmapSvg"/>: zones
/// stacked, one row per rack with its desirability, one square per host coloured red (0) → yellow (0.5) → green (1),
/// grey when not scored; a legend at the bottom. The host's lowest part is marked by a letter in its square (c, r, $, p).
/// </summary>
internal static class HeatmapPlot
{
    /// <summary>Side of a host square in pixels.</summary>
    public const int Cell = 16;

    /// <summary>Space between squares.</summary>
    public const int Gap = 2;

    /// <summary>Width of the label column.</summary>
    public const int Label = 150;

    /// <summary>Top of the first zone block (below the title).</summary>
    public const int Top = 30;

    private static readonly string[] FontFiles =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/System/Library/Fonts/Supplemental/Arial.ttf",
        @"C:\Windows\Fonts\arial.ttf",
    ];

    /// <summary>Writes the PNG to <paramref name="path"/>.</summary>
    public static void SavePng(Heatmap heatmap, string path) => File.WriteAllBytes(path, RenderPng(heatmap));

    /// <summary>The PNG bytes.</summary>
    public static byte[] RenderPng(Heatmap heatmap)
    {
        ArgumentNullException.ThrowIfNull(heatmap);
        var maxHosts = Math.Max(1, heatmap.Zones.SelectMany(z => z.Racks).Select(r => r.Hosts.Count).DefaultIfEmpty(1).Max());
        var width = Math.Max(720, Label + maxHosts * (Cell + Gap) + 10);
        var height = Top + heatmap.Zones.Sum(z => 20 + z.Racks.Count * (Cell + Gap) + 8) + 40;
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException("SkiaSharp could not create a drawing surface");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = FontFiles.Where(File.Exists).Select(SKTypeface.FromFile).FirstOrDefault(t => t is not null) ?? SKTypeface.Default;
        using var font = new SKFont(typeface, 12);
        using var bold = new SKFont(typeface, 13) { Embolden = true };
        using var small = new SKFont(typeface, 10);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var fill = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = false };
        canvas.DrawText(string.Create(CultureInfo.InvariantCulture, $"Locality desirability at {heatmap.At:yyyy-MM-ddTHH:mmZ} (green = desirable, red = not)"),
            4, 18, SKTextAlign.Left, font, ink);
        var y = Top;
        foreach (var z in heatmap.Zones)
        {
            canvas.DrawText($"{z.Id} {Pct(z.Desirability)}", 4, y + 14, SKTextAlign.Left, bold, ink);
            y += 20;
            foreach (var r in z.Racks)
            {
                canvas.DrawText($"{r.Id} {Pct(r.Desirability)}", 10, y + Cell - 4, SKTextAlign.Left, font, ink);
                var x = Label;
                foreach (var h in r.Hosts)
                {
                    fill.Color = SKColor.Parse(h.Colour);
                    canvas.DrawRect(SKRect.Create(x, y, Cell, Cell), fill);
                    if (Mark(h.WorstPart) is { } mark && h.Desirability is not null)
                    {
                        canvas.DrawText(mark, x + Cell / 2f, y + Cell - 4, SKTextAlign.Center, small, ink);
                    }
                    x += Cell + Gap;
                }
                y += Cell + Gap;
            }
            y += 8;
        }
        // Legend: the colour scale and the part letters.
        y += 4;
        for (var i = 0; i <= 100; i++)
        {
            fill.Color = SKColor.Parse(Heatmap.Colour(i / 100.0));
            canvas.DrawRect(SKRect.Create(4 + i * 2, y, 2, 12), fill);
        }
        canvas.DrawText("0 → 1 desirability; letter = lowest part: c capacity, r risk, $ cost, p proximity", 214, y + 10, SKTextAlign.Left, small, ink);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static string? Mark(string? part) => part switch
    {
        "capacity" => "c",
        "risk" => "r",
        "cost" => "$",
        "proximity" => "p",
        _ => null,
    };

    private static string Pct(double? d) => d is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "–";
}
