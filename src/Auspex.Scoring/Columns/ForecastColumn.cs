using Auspex.Core.Resources;

namespace Auspex.Scoring;

/// <summary>
/// One resource's forecasts for many hosts in flat arrays (convention #9's GroupedArray shape): series <c>s</c> is host
/// <c>Hosts[s]</c> and its steps are rows <c>Offsets[s]</c> to <c>Offsets[s + 1]</c> − 1; row <c>r</c> predicts time
/// <c>At[r]</c> with point forecast <c>Mean[r]</c> and quantiles <c>Quantiles[r·L … r·L + L − 1]</c> at the column's
/// <see cref="Levels"/> (L of them, non-decreasing per row). What the scorer reads instead of one
/// <see cref="Core.Forecasts.ForecastPoint"/> object (and its quantile list) per host, resource and step.
/// </summary>
public sealed class ForecastColumn
{
    private readonly string[] _hosts;
    private readonly int[] _offsets;
    private readonly DateTimeOffset[] _at;
    private readonly double[] _mean;
    private readonly double[] _quantiles;
    private readonly double[] _levels;

    /// <summary>Wraps the arrays (not copied: do not change them afterwards). Throws when their shapes disagree.</summary>
    public ForecastColumn(ResourceKind resource, IReadOnlyList<double> levels, IReadOnlyList<string> hosts, int[] offsets,
        DateTimeOffset[] at, double[] mean, double[] quantiles)
    {
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(at);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(quantiles);
        if (levels.Count == 0)
        {
            throw new ArgumentException("A forecast column needs at least one quantile level.", nameof(levels));
        }
        if (offsets.Length != hosts.Count + 1 || offsets[0] != 0)
        {
            throw new ArgumentException($"Offsets must have one more entry than hosts ({hosts.Count + 1}, got {offsets.Length}) and start at 0.", nameof(offsets));
        }
        for (var s = 0; s < hosts.Count; s++)
        {
            if (offsets[s + 1] < offsets[s])
            {
                throw new ArgumentException($"Offsets must not decrease (series {s}: {offsets[s]} then {offsets[s + 1]}).", nameof(offsets));
            }
            if (hosts[s] is null)
            {
                throw new ArgumentException($"Host of series {s} is null.", nameof(hosts));
            }
        }
        var rows = offsets[^1];
        if (at.Length != rows || mean.Length != rows || quantiles.Length != (long)rows * levels.Count)
        {
            throw new ArgumentException(
                $"Column of {rows} rows × {levels.Count} levels needs {rows} times, {rows} means and {(long)rows * levels.Count} quantiles (got {at.Length}, {mean.Length}, {quantiles.Length}).");
        }
        Resource = resource;
        _levels = [.. levels];
        _hosts = [.. hosts];
        _offsets = offsets;
        _at = at;
        _mean = mean;
        _quantiles = quantiles;
    }

    /// <summary>The resource forecast.</summary>
    public ResourceKind Resource { get; }

    /// <summary>Quantile levels of every row.</summary>
    public IReadOnlyList<double> Levels => _levels;

    /// <summary>Host of each series.</summary>
    public IReadOnlyList<string> Hosts => _hosts;

    /// <summary>Number of series (hosts).</summary>
    public int Count => _hosts.Length;

    /// <summary>Total rows (steps over every series).</summary>
    public int Rows => _offsets[^1];

    /// <summary>Row offsets per series, one more than <see cref="Count"/>.</summary>
    public ReadOnlySpan<int> Offsets => _offsets;

    /// <summary>Time each row predicts.</summary>
    public ReadOnlySpan<DateTimeOffset> At => _at;

    /// <summary>Point forecast per row.</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>Quantiles, <see cref="Levels"/>.Count per row.</summary>
    public ReadOnlySpan<double> Quantiles => _quantiles;

    internal string[] HostArray => _hosts;
    internal int[] OffsetArray => _offsets;
    internal DateTimeOffset[] AtArray => _at;
    internal double[] MeanArray => _mean;
    internal double[] QuantileArray => _quantiles;
    internal double[] LevelArray => _levels;

    /// <summary>Order of each series among the forecasts it was converted from (null: the column's own order).</summary>
    internal int[]? Sequence { get; init; }
}
