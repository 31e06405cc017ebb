using System.Globalization;
using Auspex.Core.Forecasts;
using Auspex.Core.Resources;
using Auspex.Core.Scores;
using Auspex.Core.Topology;

namespace Auspex.Scoring;

/// <summary>A host's forecast of one resource.</summary>
public sealed record HostForecast(string Host, ResourceKind Resource, Forecast Forecast);

/// <summary>
/// Scores every locality of a topology from forecasts of its hosts' usage. The capacity part is the predicted
/// headroom: for each capacity resource, the peak of the forecast's <see cref="ScoringOptions.Quantile"/> over the
/// horizon against capacity; the tightest resource decides. Racks, zones and regions are scored on the sum of their
/// hosts' usage against the sum of their capacity (quantile of a sum under independence, normal approximation).
/// Parts not yet computed are left out and the weights of the present parts renormalised.
/// </summary>
public sealed class LocalityScorer
{
    private readonly ScoringOptions _options;

    /// <summary>Creates a scorer.</summary>
    public LocalityScorer(ScoringOptions? options = null)
    {
        _options = options ?? new ScoringOptions();
        _options.Validate();
    }

    /// <summary>Scores every locality with at least one forecast of a capacity resource under it.</summary>
    public IReadOnlyList<LocalityScore> Score(Topology topology, IReadOnlyList<HostForecast> forecasts, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(forecasts);
        var byHost = forecasts.Where(f => f.Resource.IsCapacity() && f.Forecast.Points.Count > 0)
            .GroupBy(f => f.Host, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var weights = topology.Policy.WeightsAt(at);
        var scores = new List<LocalityScore>();
        foreach (var loc in topology.Localities)
        {
            var hosts = topology.HostsUnder(loc.Id).Where(h => byHost.ContainsKey(h.Id)).ToList();
            if (hosts.Count == 0)
            {
                continue;
            }
            var capacity = CapacityPart(loc, hosts, byHost, topology);
            if (capacity is null)
            {
                continue;
            }
            var parts = new Dictionary<string, ScorePart> { ["capacity"] = capacity with { Weight = weights.Capacity } };
            scores.Add(new LocalityScore(loc.Id, at, Combine(parts), parts));
        }
        return scores;
    }

    /// <summary>Σ weightᵢ · partᵢ / Σ weightᵢ over the present parts; 0–1.</summary>
    public static double Combine(IReadOnlyDictionary<string, ScorePart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var wsum = parts.Values.Sum(p => p.Weight);
        return wsum <= 0 ? parts.Values.Average(p => p.Value) : Math.Clamp(parts.Values.Sum(p => p.Weight * p.Value) / wsum, 0, 1);
    }

    private ScorePart? CapacityPart(Locality loc, List<Locality> hosts, Dictionary<string, List<HostForecast>> byHost, Topology topology)
    {
        var q = _options.Quantile;
        var z = NormalQuantile(q);
        (double Headroom, ResourceKind Kind, double Peak, double Capacity, DateTimeOffset PeakAt)? worst = null;
        foreach (var kind in ResourceKinds.All.Where(k => k.IsCapacity()))
        {
            var withForecast = hosts.Where(h => h.Capacity[kind] > 0 && byHost[h.Id].Any(f => f.Resource == kind)).ToList();
            if (withForecast.Count == 0)
            {
                continue;
            }
            var cap = withForecast.Sum(h => h.Capacity[kind]);
            var fs = withForecast.Select(h => byHost[h.Id].First(f => f.Resource == kind).Forecast).ToList();
            var steps = fs.Min(f => f.Points.Count);
            var peak = double.NegativeInfinity;
            var peakAt = fs[0].Points[0].At;
            for (var i = 0; i < steps; i++)
            {
                double value;
                if (fs.Count == 1)
                {
                    value = fs[0].Quantile(i, q);
                }
                else
                {
                    // Sum of means plus z·sqrt(Σσ²), σ from each series' own quantile spread.
                    var mean = 0.0;
                    var variance = 0.0;
                    foreach (var f in fs)
                    {
                        var m = f.Points[i].Mean;
                        mean += m;
                        var sd = z > 0 ? Math.Max(0, f.Quantile(i, q) - m) / z : 0;
                        variance += sd * sd;
                    }
                    value = mean + z * Math.Sqrt(variance);
                }
                if (value > peak)
                {
                    peak = value;
                    peakAt = fs[0].Points[i].At;
                }
            }
            var headroom = 1 - Math.Max(0, peak) / cap;
            if (worst is null || headroom < worst.Value.Headroom)
            {
                worst = (headroom, kind, peak, cap, peakAt);
            }
        }
        if (worst is not { } w)
        {
            return null;
        }
        var value01 = Math.Clamp(w.Headroom / _options.ComfortableHeadroom, 0, 1);
        var scope = loc.Kind == LocalityKind.Host ? "" : $" summed over {hosts.Count} host(s)";
        var explanation = string.Create(CultureInfo.InvariantCulture,
            $"{w.Kind.Key()} is the tightest resource: predicted p{q * 100:0} peak {Format(w.Peak, w.Kind)} of {Format(w.Capacity, w.Kind)}{scope} at {w.PeakAt:yyyy-MM-ddTHH:mmZ}, headroom {w.Headroom * 100:0.#}% (≥ {_options.ComfortableHeadroom * 100:0}% scores 1)");
        return new ScorePart(value01, 1, explanation);
    }

    private static string Format(double v, ResourceKind kind) => kind switch
    {
        ResourceKind.Memory => string.Create(CultureInfo.InvariantCulture, $"{v / (1024 * 1024 * 1024):0.##} GiB"),
        ResourceKind.Cpu => string.Create(CultureInfo.InvariantCulture, $"{v:0.##} cores"),
        ResourceKind.NetworkIn or ResourceKind.NetworkOut or ResourceKind.StorageThroughput => string.Create(CultureInfo.InvariantCulture, $"{v / 1e6:0.##} MB/s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{v:0.##} {kind.Unit()}"),
    };

    /// <summary>Inverse of the standard normal CDF (Acklam's rational approximation, |error| &lt; 1.2e-9).</summary>
    internal static double NormalQuantile(double p)
    {
        ReadOnlySpan<double> a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        ReadOnlySpan<double> b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        ReadOnlySpan<double> c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        ReadOnlySpan<double> d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low)
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        var r = p - 0.5;
        var s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}
