using System.Globalization;
using Auspex.Core.Topology;
using Auspex.Internal;
using Auspex.Scoring.Internal;

namespace Auspex.Scoring;

/// <summary>An electricity price in force at a locality (and everything inside it) during daily UTC hours [From, To), wrapping past midnight.</summary>
/// <param name="Locality">Locality id, or <c>*</c> for everywhere.</param>
/// <param name="FromHour">First hour (0–23).</param>
/// <param name="ToHour">End hour (0–24, exclusive); equal to FromHour means all day.</param>
/// <param name="PricePerKwh">Price of one kWh.</param>
public sealed record TariffBand(string Locality, int FromHour, int ToHour, double PricePerKwh)
{
    /// <summary>True when the UTC hour of <paramref name="at"/> is in the band.</summary>
    public bool Covers(DateTimeOffset at)
    {
        var h = at.UtcDateTime.Hour;
        return FromHour == ToHour || (FromHour < ToHour ? h >= FromHour && h < ToHour : h >= FromHour || h < ToHour);
    }
}

/// <summary>
/// Time-of-day power tariffs. The price for a host at a time comes from the band of its nearest locality (host,
/// rack, zone, region, then <c>*</c>) that covers the hour. CSV columns: <c>locality,from_hour,to_hour,price_per_kwh</c>.
/// </summary>
public sealed class PowerTariff
{
    /// <summary>Creates a tariff from bands (earlier bands win when two cover the same hour at the same locality).</summary>
    public PowerTariff(IEnumerable<TariffBand> bands) => Bands = (bands ?? throw new ArgumentNullException(nameof(bands))).ToList();

    /// <summary>The bands.</summary>
    public IReadOnlyList<TariffBand> Bands { get; }

    /// <summary>The price per kWh for <paramref name="host"/> at <paramref name="at"/>, or null when no band applies.</summary>
    public double? PriceAt(Topology topology, string host, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(topology);
        foreach (var id in topology.Ancestors(host).Select(a => a.Id).Prepend(host).Append("*"))
        {
            foreach (var b in Bands)
            {
                if (b.Locality == id && b.Covers(at))
                {
                    return b.PricePerKwh;
                }
            }
        }
        return null;
    }

    /// <summary>The price per kWh at <paramref name="at"/> for a place whose ids, nearest first, are <paramref name="nearestFirst"/> (then <c>*</c>).</summary>
    internal double? PriceAt(IReadOnlyList<string> nearestFirst, DateTimeOffset at)
    {
        for (var i = 0; i <= nearestFirst.Count; i++)
        {
            var id = i < nearestFirst.Count ? nearestFirst[i] : "*";
            // Indexed, not foreach: Bands is an interface, whose enumerator would be allocated per host, step and level.
            for (var k = 0; k < Bands.Count; k++)
            {
                var b = Bands[k];
                if (b.Locality == id && b.Covers(at))
                {
                    return b.PricePerKwh;
                }
            }
        }
        return null;
    }

    /// <summary>Parses the CSV (header required); problems come back line-numbered.</summary>
    public static ParseResult<PowerTariff> Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var errors = new List<string>();
        var bands = new List<TariffBand>();
        var header = true;
        foreach (var (line, text) in Csv.Lines(reader))
        {
            if (header)
            {
                header = false;
                continue;
            }
            var f = Csv.Split(text);
            if (f.Count < 4
                || !int.TryParse(f[1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var from) || from is < 0 or > 23
                || !int.TryParse(f[2].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var to) || to is < 0 or > 24
                || !double.TryParse(f[3].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var price) || !double.IsFinite(price) || price < 0)
            {
                errors.Add($"line {line}: expected locality,from_hour (0-23),to_hour (0-24),price_per_kwh (≥ 0)");
                continue;
            }
            bands.Add(new TariffBand(f[0].Trim(), from, to % 24, price));
        }
        return header ? new(null, ["the file is empty"]) : new(new PowerTariff(bands), errors);
    }
}
