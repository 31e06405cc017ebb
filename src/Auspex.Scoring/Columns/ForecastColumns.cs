using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Topology;
using Auspex.Scoring.Internal;

namespace Auspex.Scoring;

/// <summary>
/// Every host forecast of a scoring pass in columnar form: one or more <see cref="ForecastColumn"/> per resource (one
/// per level set), at most one series per host and resource. <see cref="From"/> converts the object form
/// (<see cref="HostForecast"/>); a forecaster can build the columns directly and skip that copy.
/// </summary>
public sealed class ForecastColumns
{
    private readonly ForecastColumn[] _columns;
    private readonly Lock _gate = new();
    private (FleetIndex Index, Placement Placement)? _placed;

    /// <summary>Wraps the columns. Throws when a host has two series of one resource.</summary>
    public ForecastColumns(IEnumerable<ForecastColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = [.. columns];
        var seen = new HashSet<(string, ResourceKind)>();
        foreach (var c in _columns)
        {
            ArgumentNullException.ThrowIfNull(c, nameof(columns));
            for (var s = 0; s < c.Count; s++)
            {
                if (c.OffsetArray[s + 1] > c.OffsetArray[s] && !seen.Add((c.HostArray[s], c.Resource)))
                {
                    throw new ArgumentException($"Host '{c.HostArray[s]}' has more than one {c.Resource.Key()} forecast.", nameof(columns));
                }
            }
        }
    }

    /// <summary>The columns.</summary>
    public IReadOnlyList<ForecastColumn> Columns => _columns;

    /// <summary>
    /// Converts host forecasts, keeping what the scorer reads of them: forecasts without steps are dropped; for each host
    /// and resource the first forecast is kept, except temperature, where the last is (as the object path always did).
    /// One column per resource and level list. Throws when a step's quantile count differs from its levels'.
    /// </summary>
    public static ForecastColumns From(IReadOnlyList<HostForecast> forecasts)
    {
        ArgumentNullException.ThrowIfNull(forecasts);
        var lastTemperature = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < forecasts.Count; i++)
        {
            var f = forecasts[i];
            if (f.Resource == ResourceKind.Temperature && f.Forecast.Points.Count > 0)
            {
                lastTemperature[f.Host] = i;
            }
        }
        // Two passes: choose the forecasts and size each column, then fill exact-size arrays.
        var builders = new List<Builder>();
        var byKey = new Dictionary<(ResourceKind, IReadOnlyList<double>), Builder>(new KeyComparer());
        var taken = new HashSet<(string, ResourceKind)>();
        var chosen = new List<(int Forecast, Builder Column)>(forecasts.Count);
        for (var i = 0; i < forecasts.Count; i++)
        {
            var f = forecasts[i];
            var points = f.Forecast.Points;
            if (points.Count == 0
                || (f.Resource == ResourceKind.Temperature ? lastTemperature[f.Host] != i : !taken.Add((f.Host, f.Resource))))
            {
                continue;
            }
            var key = (f.Resource, f.Forecast.Levels);
            if (!byKey.TryGetValue(key, out var b))
            {
                byKey[key] = b = new Builder(f.Resource, f.Forecast.Levels);
                builders.Add(b);
            }
            b.Series++;
            b.RowCount += points.Count;
            chosen.Add((i, b));
        }
        foreach (var b in builders)
        {
            b.Allocate();
        }
        foreach (var (i, b) in chosen)
        {
            b.Add(forecasts[i].Host, forecasts[i].Forecast.Points, i);
        }
        return new ForecastColumns(builders.Select(b => b.Build()));
    }

    private sealed class KeyComparer : IEqualityComparer<(ResourceKind Kind, IReadOnlyList<double> Levels)>
    {
        public bool Equals((ResourceKind Kind, IReadOnlyList<double> Levels) x, (ResourceKind Kind, IReadOnlyList<double> Levels) y) =>
            x.Kind == y.Kind && ReferenceEquals(x.Levels, y.Levels);

        public int GetHashCode((ResourceKind Kind, IReadOnlyList<double> Levels) obj) =>
            HashCode.Combine(obj.Kind, System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Levels));
    }

    private sealed class Builder(ResourceKind kind, IReadOnlyList<double> levels)
    {
        private string[] _hosts = [];
        private int[] _offsets = [];
        private int[] _sequence = [];
        private DateTimeOffset[] _at = [];
        private double[] _mean = [];
        private double[] _quantiles = [];
        private int _s;
        private int _r;

        public int Series { get; set; }

        public int RowCount { get; set; }

        public void Allocate()
        {
            _hosts = new string[Series];
            _offsets = new int[Series + 1];
            _sequence = new int[Series];
            _at = new DateTimeOffset[RowCount];
            _mean = new double[RowCount];
            _quantiles = new double[(long)RowCount * levels.Count];
        }

        public void Add(string host, IReadOnlyList<ForecastPoint> points, int sequence)
        {
            var width = levels.Count;
            foreach (var p in points)
            {
                var q = p.Quantiles;
                if (q.Count != width)
                {
                    throw new ArgumentException(
                        $"Forecast of {kind.Key()} on '{host}' at {p.At:O} has {q.Count} quantiles for {width} levels.");
                }
                _at[_r] = p.At;
                _mean[_r] = p.Mean;
                var dest = _quantiles.AsSpan(_r * width, width);
                switch (q)
                {
                    case double[] a:
                        a.CopyTo(dest);
                        break;
                    case List<double> l:
                        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(l).CopyTo(dest);
                        break;
                    default:
                        for (var l = 0; l < width; l++)
                        {
                            dest[l] = q[l];
                        }
                        break;
                }
                _r++;
            }
            _hosts[_s] = host;
            _sequence[_s] = sequence;
            _offsets[++_s] = _r;
        }

        public ForecastColumn Build() => new(kind, levels, _hosts, _offsets, _at, _mean, _quantiles) { Sequence = _sequence };
    }

    /// <summary>Where each topology position's series are (cached per fleet index).</summary>
    internal Placement PlaceOn(FleetIndex index)
    {
        lock (_gate)
        {
            if (_placed is { } p && ReferenceEquals(p.Index, index))
            {
                return p.Placement;
            }
        }
        var placement = new Placement(index, _columns);
        lock (_gate)
        {
            _placed = (index, placement);
        }
        return placement;
    }

    /// <summary>
    /// The columns resolved against a topology: per host position its capacity series (column, series) in the order the
    /// host's forecasts came, and its temperature and power series.
    /// </summary>
    internal sealed class Placement
    {
        public Placement(FleetIndex index, ForecastColumn[] columns)
        {
            var n = index.Localities.Length;
            TemperatureOf = new (int, int)[n];
            PowerOf = new (int, int)[n];
            Array.Fill(TemperatureOf, (-1, -1));
            Array.Fill(PowerOf, (-1, -1));
            var capacity = new List<(int Col, int Series, int Order)>?[n];
            for (var c = 0; c < columns.Length; c++)
            {
                var col = columns[c];
                var offsets = col.OffsetArray;
                for (var s = 0; s < col.Count; s++)
                {
                    if (offsets[s + 1] == offsets[s])
                    {
                        continue;
                    }
                    if (col.Resource == ResourceKind.Temperature)
                    {
                        AnyTemperature = true;
                    }
                    if (!index.Position.TryGetValue(col.HostArray[s], out var li))
                    {
                        continue;
                    }
                    if (col.Resource == ResourceKind.Temperature)
                    {
                        TemperatureOf[li] = (c, s);
                        continue;
                    }
                    if (col.Resource == ResourceKind.Power)
                    {
                        PowerOf[li] = (c, s);
                    }
                    if (col.Resource.IsCapacity() && index.Localities[li].Kind == LocalityKind.Host)
                    {
                        (capacity[li] ??= new(8)).Add((c, s, col.Sequence?[s] ?? c));
                    }
                }
            }
            Start = new int[n + 1];
            var entries = new List<(int Col, int Series)>();
            for (var li = 0; li < n; li++)
            {
                Start[li] = entries.Count;
                if (capacity[li] is { } list)
                {
                    list.Sort((a, b) => a.Order.CompareTo(b.Order));
                    foreach (var (col, s, _) in list)
                    {
                        entries.Add((col, s));
                    }
                }
            }
            Start[n] = entries.Count;
            Entries = [.. entries];
        }

        /// <summary>Capacity series of position li: Entries[Start[li] .. Start[li + 1]).</summary>
        public int[] Start { get; }

        public (int Col, int Series)[] Entries { get; }

        /// <summary>Temperature series per position, (−1, −1) for none.</summary>
        public (int Col, int Series)[] TemperatureOf { get; }

        /// <summary>Power series per position, (−1, −1) for none.</summary>
        public (int Col, int Series)[] PowerOf { get; }

        /// <summary>Whether any temperature forecast is present (for any host id, in the topology or not).</summary>
        public bool AnyTemperature { get; }
    }
}
