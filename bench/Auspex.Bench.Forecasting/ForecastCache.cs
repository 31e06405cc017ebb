using System.Globalization;
using Auspex.Forecasting.Models;

namespace Auspex.Bench.Forecasting;

/// <summary>One series' forecast as the bench keeps it: point forecast and the 80 % and 95 % bands.</summary>
internal sealed record CachedForecast(bool Fallback, double[] Mean, double[] Lower80, double[] Upper80, double[] Lower95, double[] Upper95);

/// <summary>
/// Per-model forecasts of every M4 series on a split, stored in a small binary file so later runs (and the combination
/// study, <see cref="CombineBench"/>) reuse them instead of refitting (Auto takes minutes on 414 series). The key names
/// the split, the model, the GlobalBoosted options and the series count; a stale or truncated file is ignored.
/// </summary>
internal static class ForecastCache
{
    public static string Key(string split, string model, GlobalBoostedOptions gbt, int count)
    {
        var gbtKey = model.Contains("Boosted", StringComparison.OrdinalIgnoreCase)
            ? string.Create(CultureInfo.InvariantCulture, $"-l{gbt.Lags}d{gbt.MaxDepth}lr{gbt.LearningRate}leaf{gbt.MinSamplesLeaf}r{gbt.Rounds}{(gbt.MedianLoss ? "med" : "sq")}{(gbt.Calendar ? "" : "nocal")}s{gbt.ScaleWindow}seed{gbt.Seed}")
            : "";
        return string.Create(CultureInfo.InvariantCulture, $"{split}-{model}{gbtKey}-n{count}.bin");
    }

    public static CachedForecast[]? TryRead(string path, int count, int horizon)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            using var r = new BinaryReader(File.OpenRead(path));
            if (r.ReadInt32() != count || r.ReadInt32() != horizon)
            {
                return null;
            }
            var result = new CachedForecast[count];
            for (var i = 0; i < count; i++)
            {
                var fb = r.ReadBoolean();
                var a = new double[5][];
                for (var k = 0; k < 5; k++)
                {
                    a[k] = new double[horizon];
                    for (var j = 0; j < horizon; j++)
                    {
                        a[k][j] = r.ReadDouble();
                    }
                }
                result[i] = new CachedForecast(fb, a[0], a[1], a[2], a[3], a[4]);
            }
            return result;
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    public static void Write(string path, CachedForecast[] forecasts)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + ".tmp";
        using (var w = new BinaryWriter(File.Create(tmp)))
        {
            w.Write(forecasts.Length);
            w.Write(forecasts.Length == 0 ? 0 : forecasts[0].Mean.Length);
            foreach (var f in forecasts)
            {
                w.Write(f.Fallback);
                foreach (var a in new[] { f.Mean, f.Lower80, f.Upper80, f.Lower95, f.Upper95 })
                {
                    foreach (var v in a)
                    {
                        w.Write(v);
                    }
                }
            }
        }
        File.Move(tmp, path, overwrite: true);
    }
}
