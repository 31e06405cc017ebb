using System.Globalization;
using Auspex.Core.Topology;

namespace Auspex.Simulation.WhatIf;

/// <summary>An extra maintenance window in a what-if.</summary>
/// <param name="Locality">Locality id.</param>
/// <param name="From">Start.</param>
/// <param name="To">End (after <paramref name="From"/>).</param>
public sealed record WhatIfMaintenance(string? Locality, DateTimeOffset? From, DateTimeOffset? To);

/// <summary>
/// The parameters of a what-if: a traffic multiplier, a scaling factor of the fleet's capacity, localities failed now,
/// extra maintenance windows, and tier prices. Every field is optional; <see cref="Validate"/> names each bad field.
/// </summary>
public sealed record WhatIfScenario
{
    /// <summary>Multiplies load (CPU, network, storage throughput), live and predicted. Default 1.</summary>
    public double? TrafficMultiplier { get; init; }

    /// <summary>Multiplies every host's capacity. Default 1.</summary>
    public double? ScalingFactor { get; init; }

    /// <summary>Hosts, racks or zones taken down now.</summary>
    public IReadOnlyList<string>? Fail { get; init; }

    /// <summary>Extra maintenance windows.</summary>
    public IReadOnlyList<WhatIfMaintenance>? Maintenance { get; init; }

    /// <summary>Tier name → price per hour.</summary>
    public IReadOnlyDictionary<string, double>? TierPrices { get; init; }

    /// <summary>The most failed localities accepted.</summary>
    public const int MaxFail = 1000;

    /// <summary>The most maintenance windows accepted.</summary>
    public const int MaxMaintenance = 100;

    /// <summary>Every problem with this scenario against <paramref name="topology"/>, each naming the field.</summary>
    public IReadOnlyList<string> Validate(Topology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var e = new List<string>();
        if (TrafficMultiplier is { } m && (!double.IsFinite(m) || m < 0 || m > 100))
        {
            e.Add(string.Create(CultureInfo.InvariantCulture, $"trafficMultiplier: must be a number in 0..100, got {m}"));
        }
        if (ScalingFactor is { } f && (!double.IsFinite(f) || f < 0.01 || f > 100))
        {
            e.Add(string.Create(CultureInfo.InvariantCulture, $"scalingFactor: must be a number in 0.01..100, got {f}"));
        }
        if (Fail is { } fail)
        {
            if (fail.Count > MaxFail)
            {
                e.Add($"fail: at most {MaxFail} localities, got {fail.Count}");
            }
            else
            {
                for (var i = 0; i < fail.Count; i++)
                {
                    if (string.IsNullOrWhiteSpace(fail[i]))
                    {
                        e.Add($"fail[{i}]: empty locality id");
                    }
                    else if (topology.Find(fail[i]) is null)
                    {
                        e.Add($"fail[{i}]: no locality has id '{fail[i]}'");
                    }
                }
            }
        }
        if (Maintenance is { } mw)
        {
            if (mw.Count > MaxMaintenance)
            {
                e.Add($"maintenance: at most {MaxMaintenance} windows, got {mw.Count}");
            }
            else
            {
                for (var i = 0; i < mw.Count; i++)
                {
                    var w = mw[i];
                    if (w is null)
                    {
                        e.Add($"maintenance[{i}]: null window");
                        continue;
                    }
                    if (string.IsNullOrWhiteSpace(w.Locality) || topology.Find(w.Locality) is null)
                    {
                        e.Add($"maintenance[{i}].locality: no locality has id '{w.Locality}'");
                    }
                    if (w.From is null || w.To is null)
                    {
                        e.Add($"maintenance[{i}]: from and to are required");
                    }
                    else if (w.To <= w.From)
                    {
                        e.Add($"maintenance[{i}]: to ({w.To:O}) must be after from ({w.From:O})");
                    }
                }
            }
        }
        if (TierPrices is { } tp)
        {
            foreach (var (name, price) in tp)
            {
                if (topology.FindTier(name) is null)
                {
                    e.Add($"tierPrices.{name}: no tier has this name (tiers: {string.Join(", ", topology.Tiers.Select(t => t.Name))})");
                }
                else if (!double.IsFinite(price) || price < 0)
                {
                    e.Add(string.Create(CultureInfo.InvariantCulture, $"tierPrices.{name}: price must be finite and ≥ 0, got {price}"));
                }
            }
        }
        return e;
    }
}
