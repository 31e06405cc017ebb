using System.Collections.Immutable;
using System.Globalization;

namespace Auspex.Core.Resources;

/// <summary>An immutable amount per resource kind; kinds not present are zero. Values must be finite and ≥ 0.</summary>
public sealed class ResourceVector : IEquatable<ResourceVector>
{
    private readonly ImmutableSortedDictionary<ResourceKind, double> _values;

    /// <summary>The zero vector.</summary>
    public static readonly ResourceVector Zero = new(ImmutableSortedDictionary<ResourceKind, double>.Empty);

    private ResourceVector(ImmutableSortedDictionary<ResourceKind, double> values) => _values = values;

    /// <summary>Builds a vector, refusing negative or non-finite amounts.</summary>
    public static ResourceVector From(IEnumerable<KeyValuePair<ResourceKind, double>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var b = ImmutableSortedDictionary.CreateBuilder<ResourceKind, double>();
        foreach (var (k, v) in values)
        {
            if (!double.IsFinite(v) || v < 0)
            {
                throw new ArgumentException($"Resource {k.Key()} amount {v.ToString(CultureInfo.InvariantCulture)} must be finite and not negative.");
            }
            if (v != 0)
            {
                b[k] = v;
            }
        }
        return new(b.ToImmutable());
    }

    /// <summary>Builds a vector from pairs.</summary>
    public static ResourceVector Of(params (ResourceKind Kind, double Amount)[] values) =>
        From(values.Select(v => new KeyValuePair<ResourceKind, double>(v.Kind, v.Amount)));

    /// <summary>The amount of <paramref name="kind"/> (zero when absent).</summary>
    public double this[ResourceKind kind] => _values.TryGetValue(kind, out var v) ? v : 0;

    /// <summary>The kinds with a non-zero amount.</summary>
    public IEnumerable<ResourceKind> Kinds => _values.Keys;

    /// <summary>The non-zero amounts.</summary>
    public IReadOnlyDictionary<ResourceKind, double> Values => _values;

    /// <summary>Component-wise sum.</summary>
    public ResourceVector Plus(ResourceVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return From(ResourceKinds.All.Select(k => new KeyValuePair<ResourceKind, double>(k, this[k] + other[k])));
    }

    /// <summary>Multiplies every amount by a non-negative factor.</summary>
    public ResourceVector Times(double factor) =>
        From(_values.Select(p => new KeyValuePair<ResourceKind, double>(p.Key, p.Value * factor)));

    /// <summary>True when every amount here is at most the other's.</summary>
    public bool FitsWithin(ResourceVector capacity)
    {
        ArgumentNullException.ThrowIfNull(capacity);
        return _values.All(p => p.Value <= capacity[p.Key]);
    }

    /// <inheritdoc />
    public bool Equals(ResourceVector? other) =>
        other is not null && other._values.Count == _values.Count && _values.All(p => other[p.Key] == p.Value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ResourceVector);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var p in _values)
        {
            h.Add(p.Key);
            h.Add(p.Value);
        }
        return h.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() =>
        "{" + string.Join(", ", _values.Select(p => $"{p.Key.Key()}: {p.Value.ToString("G6", CultureInfo.InvariantCulture)}")) + "}";
}
