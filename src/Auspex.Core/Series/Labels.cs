using System.Collections;
using System.Text;

namespace Auspex.Core.Series;

/// <summary>
/// An immutable set of label name/value pairs sorted by name, as in Prometheus. Empty values are dropped,
/// names follow the Prometheus rule <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.
/// </summary>
public sealed class Labels : IEquatable<Labels>, IReadOnlyList<KeyValuePair<string, string>>
{
    private readonly KeyValuePair<string, string>[] _pairs;
    private readonly int _hash;

    /// <summary>The empty label set.</summary>
    public static readonly Labels Empty = new([]);

    private Labels(KeyValuePair<string, string>[] sortedPairs)
    {
        _pairs = sortedPairs;
        var h = new HashCode();
        foreach (var p in _pairs)
        {
            h.Add(p.Key, StringComparer.Ordinal);
            h.Add(p.Value, StringComparer.Ordinal);
        }
        _hash = h.ToHashCode();
    }

    /// <summary>Builds a label set; throws on an invalid or duplicate name.</summary>
    public static Labels From(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var list = new List<KeyValuePair<string, string>>();
        foreach (var p in pairs)
        {
            if (!IsValidName(p.Key))
            {
                throw new ArgumentException($"Label name '{p.Key}' is invalid: it must match [a-zA-Z_][a-zA-Z0-9_]*.");
            }
            if (string.IsNullOrEmpty(p.Value))
            {
                continue;
            }
            list.Add(p);
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        for (var i = 1; i < list.Count; i++)
        {
            if (list[i].Key == list[i - 1].Key)
            {
                throw new ArgumentException($"Label name '{list[i].Key}' appears twice.");
            }
        }
        return new Labels([.. list]);
    }

    /// <summary>Builds a label set from alternating names and values.</summary>
    public static Labels Of(params string[] namesAndValues)
    {
        ArgumentNullException.ThrowIfNull(namesAndValues);
        if (namesAndValues.Length % 2 != 0)
        {
            throw new ArgumentException("Labels.Of takes names and values in pairs.");
        }
        var pairs = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < namesAndValues.Length; i += 2)
        {
            pairs.Add(new(namesAndValues[i], namesAndValues[i + 1]));
        }
        return From(pairs);
    }

    /// <summary>True for a valid Prometheus label name.</summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || (i > 0 && c is >= '0' and <= '9');
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The value of <paramref name="name"/>, or null.</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var p in _pairs)
            {
                if (p.Key == name)
                {
                    return p.Value;
                }
            }
            return null;
        }
    }

    /// <summary>A copy with <paramref name="name"/> set (or removed when the value is empty).</summary>
    public Labels With(string name, string? value) =>
        From(_pairs.Where(p => p.Key != name).Append(new(name, value ?? "")));

    /// <summary>A copy without <paramref name="name"/>.</summary>
    public Labels Without(string name) => new([.. _pairs.Where(p => p.Key != name)]);

    /// <inheritdoc />
    public int Count => _pairs.Length;

    /// <inheritdoc />
    public KeyValuePair<string, string> this[int index] => _pairs[index];

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public bool Equals(Labels? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is null || other._hash != _hash || other._pairs.Length != _pairs.Length)
        {
            return false;
        }
        for (var i = 0; i < _pairs.Length; i++)
        {
            if (_pairs[i].Key != other._pairs[i].Key || _pairs[i].Value != other._pairs[i].Value)
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Labels);

    /// <inheritdoc />
    public override int GetHashCode() => _hash;

    /// <summary>Prometheus form: <c>{a="1",b="2"}</c>, values escaped.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("{");
        for (var i = 0; i < _pairs.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            sb.Append(_pairs[i].Key).Append("=\"");
            foreach (var c in _pairs[i].Value)
            {
                _ = c switch
                {
                    '\\' => sb.Append("\\\\"),
                    '"' => sb.Append("\\\""),
                    '\n' => sb.Append("\\n"),
                    _ => sb.Append(c),
                };
            }
            sb.Append('"');
        }
        return sb.Append('}').ToString();
    }
}
