namespace Auspex.Forecasting.Models;

/// <summary>Error type of an ETS model.</summary>
public enum EtsError
{
    /// <summary>Additive errors.</summary>
    Additive,

    /// <summary>Multiplicative (relative) errors; needs positive data.</summary>
    Multiplicative,
}

/// <summary>Trend type of an ETS model.</summary>
public enum EtsTrend
{
    /// <summary>No trend.</summary>
    None,

    /// <summary>Additive (linear) trend.</summary>
    Additive,

    /// <summary>Additive damped trend (φ in [0.8, 0.98]).</summary>
    Damped,
}

/// <summary>Seasonal type of an ETS model.</summary>
public enum EtsSeason
{
    /// <summary>No seasonality.</summary>
    None,

    /// <summary>Additive seasonality.</summary>
    Additive,

    /// <summary>Multiplicative seasonality; needs positive data.</summary>
    Multiplicative,
}

/// <summary>One ETS(error, trend, season) specification, e.g. ETS(M,Ad,M).</summary>
/// <param name="Error">Error type.</param>
/// <param name="Trend">Trend type.</param>
/// <param name="Season">Seasonal type.</param>
public readonly record struct EtsSpec(EtsError Error, EtsTrend Trend, EtsSeason Season)
{
    /// <summary>Hyndman's notation, e.g. <c>ETS(M,Ad,M)</c>.</summary>
    public override string ToString() =>
        $"ETS({(Error == EtsError.Additive ? "A" : "M")},{Trend switch { EtsTrend.None => "N", EtsTrend.Additive => "A", _ => "Ad" }},{Season switch { EtsSeason.None => "N", EtsSeason.Additive => "A", _ => "M" }})";

    /// <summary>
    /// The 15 combinations R's <c>ets</c> searches by default: every error/trend/damped/season combination except
    /// additive error with multiplicative season (numerically unstable) and multiplicative trend.
    /// </summary>
    public static IReadOnlyList<EtsSpec> All { get; } =
    [
        .. from e in new[] { EtsError.Additive, EtsError.Multiplicative }
           from t in new[] { EtsTrend.None, EtsTrend.Additive, EtsTrend.Damped }
           from s in new[] { EtsSeason.None, EtsSeason.Additive, EtsSeason.Multiplicative }
           where !(e == EtsError.Additive && s == EtsSeason.Multiplicative)
           select new EtsSpec(e, t, s),
    ];
}
