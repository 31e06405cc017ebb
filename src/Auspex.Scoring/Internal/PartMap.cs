using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Auspex.Core.Scores;

namespace Auspex.Scoring.Internal;

/// <summary>
/// A locality's parts by name (capacity, risk, cost, proximity, each optional) in that order: what a
/// <c>Dictionary&lt;string, ScorePart&gt;</c> filled in that order gives, in one small object instead of a hash table.
/// </summary>
internal sealed class PartMap(ScorePart capacity, ScorePart? risk, ScorePart? cost, ScorePart? proximity) : IReadOnlyDictionary<string, ScorePart>
{
    private static readonly string[] Names = ["capacity", "risk", "cost", "proximity"];

    private ScorePart? At(int i) => i switch
    {
        0 => capacity,
        1 => risk,
        2 => cost,
        _ => proximity,
    };

    private static int Slot(string key) => key switch
    {
        "capacity" => 0,
        "risk" => 1,
        "cost" => 2,
        "proximity" => 3,
        _ => -1,
    };

    public ScorePart this[string key] => TryGetValue(key, out var part) ? part : throw new KeyNotFoundException($"The given key '{key}' was not present in the dictionary.");

    public IEnumerable<string> Keys
    {
        get
        {
            for (var i = 0; i < 4; i++)
            {
                if (At(i) is not null)
                {
                    yield return Names[i];
                }
            }
        }
    }

    public IEnumerable<ScorePart> Values
    {
        get
        {
            for (var i = 0; i < 4; i++)
            {
                if (At(i) is { } part)
                {
                    yield return part;
                }
            }
        }
    }

    public int Count => 1 + (risk is null ? 0 : 1) + (cost is null ? 0 : 1) + (proximity is null ? 0 : 1);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out ScorePart value)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slot = Slot(key);
        value = slot < 0 ? null : At(slot);
        return value is not null;
    }

    public IEnumerator<KeyValuePair<string, ScorePart>> GetEnumerator()
    {
        for (var i = 0; i < 4; i++)
        {
            if (At(i) is { } part)
            {
                yield return new(Names[i], part);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
