using System.Globalization;
using Auspex.Core.Topology;
using Auspex.Internal;
using Auspex.Scoring.Internal;

namespace Auspex.Scoring;

/// <summary>Default one-way latencies (ms) by how far apart two places are, used where the matrix has no entry.</summary>
/// <param name="SameHost">Within one host. Default 0.02 ms.</param>
/// <param name="SameRack">Between hosts of one rack. Default 0.1 ms.</param>
/// <param name="SameZone">Between racks of one zone. Default 0.5 ms.</param>
/// <param name="SameRegion">Between zones of one region. Default 2 ms.</param>
/// <param name="CrossRegion">Between regions. Default 40 ms.</param>
public sealed record LatencyDefaults(double SameHost = 0.02, double SameRack = 0.1, double SameZone = 0.5, double SameRegion = 2, double CrossRegion = 40);

/// <summary>
/// Latency between localities. Explicit entries are symmetric and may name any level (two hosts, two racks, two
/// zones, two regions); a lookup between two places uses the most specific entry that separates them — the pair
/// itself, then their ancestors level by level up to where they diverge — and otherwise the default for the level
/// where they diverge. A place inside another is as far from it as two places inside the container.
/// </summary>
public sealed class LatencyMatrix
{
    private readonly Dictionary<(string, string), double> _ms = [];

    /// <summary>Creates a matrix from (a, b, milliseconds) entries.</summary>
    public LatencyMatrix(IEnumerable<(string A, string B, double Ms)> entries, LatencyDefaults? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (a, b, ms) in entries)
        {
            _ms[Order(a, b)] = ms;
        }
        Defaults = defaults ?? new LatencyDefaults();
    }

    /// <summary>Only defaults.</summary>
    public static LatencyMatrix DefaultsOnly { get; } = new([]);

    /// <summary>Latencies used where no entry applies.</summary>
    public LatencyDefaults Defaults { get; }

    /// <summary>The latency in ms between localities <paramref name="a"/> and <paramref name="b"/>.</summary>
    public double Between(Topology topology, string a, string b)
    {
        ArgumentNullException.ThrowIfNull(topology);
        Locality[] Chain(string id) => topology.Ancestors(id).Reverse().Append(topology.Find(id)).OfType<Locality>().ToArray();
        if (a == b)
        {
            return Within(topology.Find(a)?.Kind ?? LocalityKind.Host);
        }
        return _ms.TryGetValue(Order(a, b), out var direct) ? direct : Between(Chain(a), Chain(b));
    }

    /// <summary>True when some entry names a host (the proximity fast path needs entries at rack level or above).</summary>
    internal bool HasHostEntries(Topology topology) =>
        _ms.Keys.Any(k => topology.Find(k.Item1)?.Kind == LocalityKind.Host || topology.Find(k.Item2)?.Kind == LocalityKind.Host);

    /// <summary>Between two ancestor chains (outermost first, the locality itself last).</summary>
    internal double Between(Locality[] chainA, Locality[] chainB)
    {
        if (chainA.Length == 0 || chainB.Length == 0)
        {
            return Defaults.CrossRegion;
        }
        var a = chainA[^1].Id;
        var b = chainB[^1].Id;
        if (a == b)
        {
            return Within(chainA[^1].Kind);
        }
        if (_ms.Count > 0 && _ms.TryGetValue(Order(a, b), out var direct))
        {
            return direct;
        }
        var common = 0;
        while (common < chainA.Length && common < chainB.Length && chainA[common].Id == chainB[common].Id)
        {
            common++;
        }
        if (common == chainA.Length || common == chainB.Length)
        {
            // One contains the other: as far as two places inside the container.
            var outer = common == chainA.Length ? chainA[^1] : chainB[^1];
            return Within(outer.Kind);
        }
        // Walk from the deepest pair of ancestors at equal depth up to the divergence level.
        if (_ms.Count > 0)
        {
            for (var i = Math.Min(chainA.Length, chainB.Length) - 1; i >= common; i--)
            {
                if (_ms.TryGetValue(Order(chainA[i].Id, chainB[i].Id), out var ms))
                {
                    return ms;
                }
            }
        }
        return chainA[common].Kind switch
        {
            LocalityKind.Region => Defaults.CrossRegion,
            LocalityKind.Zone => Defaults.SameRegion,
            LocalityKind.Rack => Defaults.SameZone,
            _ => Defaults.SameRack,
        };
    }

    internal double Within(LocalityKind kind) => kind switch
    {
        LocalityKind.Host => Defaults.SameHost,
        LocalityKind.Rack => Defaults.SameRack,
        LocalityKind.Zone => Defaults.SameZone,
        _ => Defaults.SameRegion,
    };

    private static (string, string) Order(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? (a, b) : (b, a);

    /// <summary>Parses a CSV with header <c>from,to,latency_ms</c>; problems come back line-numbered.</summary>
    public static ParseResult<LatencyMatrix> Parse(TextReader reader, LatencyDefaults? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var errors = new List<string>();
        var entries = new List<(string, string, double)>();
        var header = true;
        foreach (var (line, text) in Csv.Lines(reader))
        {
            if (header)
            {
                header = false;
                continue;
            }
            var f = Csv.Split(text);
            if (f.Count < 3 || f[0].Trim().Length == 0 || f[1].Trim().Length == 0
                || !double.TryParse(f[2].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) || !double.IsFinite(ms) || ms < 0)
            {
                errors.Add($"line {line}: expected from,to,latency_ms (≥ 0)");
                continue;
            }
            entries.Add((f[0].Trim(), f[1].Trim(), ms));
        }
        return header ? new(null, ["the file is empty"]) : new(new LatencyMatrix(entries, defaults), errors);
    }
}
