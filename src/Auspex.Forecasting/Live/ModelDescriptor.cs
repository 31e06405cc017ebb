using System.Globalization;
using Auspex.Forecasting.Models;

namespace Auspex.Forecasting.Live;

/// <summary>
/// A model as a short, stable text that rebuilds it — what a persisted selection stores so that a restart refits the
/// chosen model (structure pinned: the ETS spec, MSTL's remainder model) instead of selecting again. Grammar:
/// <c>naive</c> · <c>snaive:m</c> · <c>naive2:m</c> · <c>theta:m</c> · <c>otheta:m</c> · <c>arima:m</c> ·
/// <c>ets:m</c> (spec chosen by AICc) · <c>ets:m:E,T,S</c> (e.g. <c>ets:24:A,Ad,N</c>) ·
/// <c>mstl:p1,p2/INNER</c> (INNER the adjusted-series model in this grammar).
/// </summary>
public static class ModelDescriptor
{
    /// <summary>The descriptor of <paramref name="model"/>, or null for a model this grammar cannot express.</summary>
    public static string? Describe(IForecastModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model switch
        {
            Naive => "naive",
            SeasonalNaive s => Inv($"snaive:{s.Season}"),
            Naive2 n => Inv($"naive2:{n.Season}"),
            Theta t => Inv($"{(t.Variant == ThetaVariant.Standard ? "theta" : "otheta")}:{t.Season}"),
            AutoArima a => Inv($"arima:{a.Season}"),
            AutoEts e => e.Spec is { } spec ? Inv($"ets:{e.Season}:{Letters(spec)}") : Inv($"ets:{e.Season}"),
            Mstl m => Describe(m.AdjustedModel) is { } inner ? "mstl:" + string.Join(',', m.Seasons.Select(p => p.ToString(CultureInfo.InvariantCulture))) + "/" + inner : null,
            _ => null,
        };
    }

    /// <summary>Rebuilds a model from its descriptor; null (with <paramref name="error"/>) when the text is not one.</summary>
    public static IForecastModel? Parse(string descriptor, out string? error)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        error = null;
        try
        {
            var model = ParseCore(descriptor.Trim());
            if (model is null)
            {
                error = $"'{descriptor}' is not a model descriptor (naive, snaive:m, naive2:m, theta:m, otheta:m, arima:m, ets:m[:E,T,S], mstl:p1[,p2]/INNER)";
            }
            return model;
        }
        catch (ArgumentException e)
        {
            error = $"'{descriptor}': {e.Message}";
            return null;
        }
    }

    private static IForecastModel? ParseCore(string d)
    {
        if (d == "naive")
        {
            return new Naive();
        }
        var colon = d.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }
        var kind = d[..colon];
        var rest = d[(colon + 1)..];
        if (kind == "mstl")
        {
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                return null;
            }
            var periods = rest[..slash].Split(',').Select(Int).ToArray();
            if (periods.Any(p => p is null))
            {
                return null;
            }
            var inner = ParseCore(rest[(slash + 1)..]);
            return inner is null ? null : new Mstl([.. periods.Select(p => p!.Value)], inner);
        }
        var parts = rest.Split(':');
        if (Int(parts[0]) is not { } m || m < 1)
        {
            return null;
        }
        return (kind, parts.Length) switch
        {
            ("snaive", 1) => m >= 2 ? new SeasonalNaive(m) : null,
            ("naive2", 1) => new Naive2(m),
            ("theta", 1) => new Theta(m),
            ("otheta", 1) => new Theta(m, ThetaVariant.Optimised),
            ("arima", 1) => new AutoArima(m),
            ("ets", 1) => new AutoEts(m),
            ("ets", 2) => Spec(parts[1]) is { } spec ? new AutoEts(m, spec) : null,
            _ => null,
        };
    }

    private static int? Int(string s) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Letters(EtsSpec s) =>
        $"{(s.Error == EtsError.Additive ? "A" : "M")},{s.Trend switch { EtsTrend.None => "N", EtsTrend.Additive => "A", _ => "Ad" }},{s.Season switch { EtsSeason.None => "N", EtsSeason.Additive => "A", _ => "M" }}";

    private static EtsSpec? Spec(string letters)
    {
        var p = letters.Split(',');
        if (p.Length != 3)
        {
            return null;
        }
        EtsError? e = p[0] switch { "A" => EtsError.Additive, "M" => EtsError.Multiplicative, _ => null };
        EtsTrend? t = p[1] switch { "N" => EtsTrend.None, "A" => EtsTrend.Additive, "Ad" => EtsTrend.Damped, _ => null };
        EtsSeason? s = p[2] switch { "N" => EtsSeason.None, "A" => EtsSeason.Additive, "M" => EtsSeason.Multiplicative, _ => null };
        return e is null || t is null || s is null ? null : new EtsSpec(e.Value, t.Value, s.Value);
    }
}
