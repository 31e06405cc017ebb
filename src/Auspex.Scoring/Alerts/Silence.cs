namespace Auspex.Scoring;

/// <summary>
/// A silence, Alertmanager-style: alerts whose labels match every matcher (exact value) between
/// <see cref="StartsAt"/> and <see cref="EndsAt"/> are tracked but not delivered.
/// </summary>
/// <param name="Id">Silence id.</param>
/// <param name="Matchers">Label name → required value (all must match).</param>
/// <param name="StartsAt">Start (inclusive).</param>
/// <param name="EndsAt">End (exclusive).</param>
/// <param name="CreatedBy">Who created it (the API key's name).</param>
/// <param name="Comment">Why.</param>
public sealed record Silence(
    string Id,
    IReadOnlyDictionary<string, string> Matchers,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string CreatedBy,
    string Comment)
{
    /// <summary>True when the silence is in force at <paramref name="at"/>.</summary>
    public bool ActiveAt(DateTimeOffset at) => at >= StartsAt && at < EndsAt;

    /// <summary>True when in force at <paramref name="at"/> and every matcher matches <paramref name="labels"/>.</summary>
    public bool Silences(IReadOnlyDictionary<string, string> labels, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return ActiveAt(at) && Matchers.All(m => labels.TryGetValue(m.Key, out var v) && string.Equals(v, m.Value, StringComparison.Ordinal));
    }

    /// <summary>Returns the reason the silence is invalid, or null.</summary>
    public string? Validate() =>
        Matchers.Count == 0 ? "a silence needs at least one matcher (label name → value)"
        : Matchers.Any(m => string.IsNullOrWhiteSpace(m.Key)) ? "a matcher's label name is empty"
        : EndsAt <= StartsAt ? "endsAt must be after startsAt"
        : null;
}
