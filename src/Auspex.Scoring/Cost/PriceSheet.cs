using System.Globalization;
using Auspex.Core.Topology;
using Auspex.Internal;
using Auspex.Scoring.Internal;

namespace Auspex.Scoring;

/// <summary>One row of an OpenCost-style node price sheet.</summary>
/// <param name="EndTimestamp">Last instant the price applies, or null for open-ended.</param>
/// <param name="InstanceId">Host id the price applies to, or empty to match by type.</param>
/// <param name="Region">Region id or label value, or empty for any.</param>
/// <param name="AssetClass">OpenCost asset class (node, pv, gpu…); only <c>node</c> or empty rows price hosts.</param>
/// <param name="InstanceType">Instance type matched against a host's <c>instance_type</c> label when <paramref name="InstanceId"/> is empty.</param>
/// <param name="PricePerHour">MarketPriceHourly.</param>
public sealed record PriceRow(DateTimeOffset? EndTimestamp, string InstanceId, string Region, string AssetClass, string InstanceType, double PricePerHour);

/// <summary>
/// Per-host hourly prices read from a CSV shaped like OpenCost's <c>pricing_schema.csv</c>: columns
/// <c>EndTimestamp, InstanceID, Region, AssetClass, InstanceIDField, InstanceType, MarketPriceHourly, Version</c>
/// (matched by header name, case-insensitive; extra columns ignored). A host is priced by its id first, then by its
/// <c>instance_type</c> label within its region; rows whose EndTimestamp is before the scoring time are skipped.
/// </summary>
public sealed class PriceSheet
{
    /// <summary>Creates a sheet from rows.</summary>
    public PriceSheet(IEnumerable<PriceRow> rows) => Rows = (rows ?? throw new ArgumentNullException(nameof(rows))).ToList();

    /// <summary>The rows, in file order.</summary>
    public IReadOnlyList<PriceRow> Rows { get; }

    /// <summary>The hourly price of <paramref name="host"/> at <paramref name="at"/>, with the row that set it, or null.</summary>
    public (double Price, string Source)? PriceOf(Topology topology, Locality host, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(host);
        var valid = Rows.Where(r => (r.EndTimestamp is null || r.EndTimestamp >= at)
            && (r.AssetClass.Length == 0 || r.AssetClass.Equals("node", StringComparison.OrdinalIgnoreCase)));
        var byId = valid.Where(r => r.InstanceId == host.Id).OrderBy(r => r.EndTimestamp ?? DateTimeOffset.MaxValue).FirstOrDefault();
        if (byId is not null)
        {
            return (byId.PricePerHour, "price sheet, instance " + host.Id);
        }
        var type = host.Labels["instance_type"];
        if (type is null)
        {
            return null;
        }
        var region = topology.AncestorAt(host.Id, LocalityKind.Region);
        var regionNames = new[] { region?.Id, region?.Labels["region"] }.OfType<string>().ToHashSet(StringComparer.Ordinal);
        var byType = valid.Where(r => r.InstanceId.Length == 0 && r.InstanceType == type && (r.Region.Length == 0 || regionNames.Contains(r.Region)))
            .OrderBy(r => r.Region.Length == 0 ? 1 : 0).ThenBy(r => r.EndTimestamp ?? DateTimeOffset.MaxValue).FirstOrDefault();
        return byType is null ? null : (byType.PricePerHour, "price sheet, type " + type);
    }

    /// <summary>Parses the CSV; problems come back as line-numbered errors, never as exceptions.</summary>
    public static ParseResult<PriceSheet> Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var errors = new List<string>();
        var rows = new List<PriceRow>();
        Dictionary<string, int>? cols = null;
        foreach (var (line, text) in Csv.Lines(reader))
        {
            var f = Csv.Split(text);
            if (cols is null)
            {
                cols = f.Select((name, i) => (name: name.Trim(), i)).GroupBy(x => x.name, StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => g.First().i, StringComparer.OrdinalIgnoreCase);
                if (!cols.ContainsKey("MarketPriceHourly") || (!cols.ContainsKey("InstanceID") && !cols.ContainsKey("InstanceType")))
                {
                    errors.Add($"line {line}: header needs MarketPriceHourly and InstanceID or InstanceType");
                    return new(null, errors);
                }
                continue;
            }
            string Get(string name) => cols.TryGetValue(name, out var i) && i < f.Count ? f[i].Trim() : "";
            if (!double.TryParse(Get("MarketPriceHourly"), NumberStyles.Float, CultureInfo.InvariantCulture, out var price) || !double.IsFinite(price) || price < 0)
            {
                errors.Add($"line {line}: MarketPriceHourly '{Get("MarketPriceHourly")}' is not a non-negative number");
                continue;
            }
            DateTimeOffset? end = null;
            var endText = Get("EndTimestamp");
            if (endText.Length > 0)
            {
                if (!DateTimeOffset.TryParse(endText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var e))
                {
                    errors.Add($"line {line}: EndTimestamp '{endText}' is not a timestamp");
                    continue;
                }
                end = e;
            }
            rows.Add(new PriceRow(end, Get("InstanceID"), Get("Region"), Get("AssetClass"), Get("InstanceType"), price));
        }
        return cols is null ? new(null, ["the file is empty"]) : new(new PriceSheet(rows), errors);
    }
}

/// <summary>The outcome of parsing: the value (null when unusable) and every problem found, line-numbered.</summary>
public sealed record ParseResult<T>(T? Value, IReadOnlyList<string> Errors) where T : class
{
    /// <summary>True when a value was read and nothing was wrong.</summary>
    public bool IsValid => Value is not null && Errors.Count == 0;
}
