namespace Auspex.Core.Series;

/// <summary>The tenant that owns data. Lower-case letters, digits, '-' and '_', 1–63 characters.</summary>
public readonly record struct TenantId
{
    /// <summary>The tenant every single-tenant installation uses.</summary>
    public static readonly TenantId Default = new("default");

    /// <summary>Creates a tenant id, validating its characters.</summary>
    public TenantId(string value)
    {
        if (!IsValid(value))
        {
            throw new ArgumentException(
                $"Tenant id '{value}' is invalid: use 1-63 characters of a-z, 0-9, '-' or '_'.", nameof(value));
        }
        Value = value;
    }

    /// <summary>The id's text.</summary>
    public string Value { get; }

    /// <summary>True when <paramref name="value"/> is a well-formed tenant id.</summary>
    public static bool IsValid(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 63 &&
        value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');

    /// <inheritdoc />
    public override string ToString() => Value;
}
