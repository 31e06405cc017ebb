using Auspex.Core.Resources;

namespace Auspex.Scoring;

/// <summary>What an alert rule watches.</summary>
public enum AlertCondition
{
    /// <summary>A locality's desirability is below the threshold (0–1).</summary>
    DesirabilityBelow,
    /// <summary>A component's Health Projection Score is below the threshold (0–100).</summary>
    HpsBelow,
    /// <summary>A locality's resource is more likely than not exhausted within <see cref="AlertRule.Within"/>.</summary>
    ExhaustionWithin,
    /// <summary>A locality's predicted peak utilisation (peak quantile / capacity, tightest resource) is above the threshold.</summary>
    UtilisationAbove,
}

/// <summary>
/// An alert rule on scores, Prometheus-style: the condition must hold for <see cref="For"/> before the alert fires
/// (pending until then); a firing alert resolves only when the value is back past <see cref="ResolveThreshold"/>
/// (hysteresis; default the threshold itself) and has stayed there for <see cref="KeepFiringFor"/>.
/// </summary>
/// <param name="Name">Alert name (the <c>alertname</c> label).</param>
/// <param name="Condition">What is watched.</param>
/// <param name="Threshold">Fires below (desirability, HPS) or above (utilisation) this; ignored for exhaustion.</param>
/// <param name="For">How long the condition must hold before firing. Zero fires at once.</param>
/// <param name="ResolveThreshold">Value the alert must get back past to resolve; null = <paramref name="Threshold"/>.</param>
/// <param name="KeepFiringFor">How long a firing alert stays firing after its condition clears.</param>
/// <param name="Within">For <see cref="AlertCondition.ExhaustionWithin"/>: how far ahead.</param>
/// <param name="Resource">For exhaustion: only this resource (null = any).</param>
/// <param name="Kinds">Locality levels the rule applies to (null = all).</param>
/// <param name="Severity">The <c>severity</c> label. Default warning.</param>
public sealed record AlertRule(
    string Name,
    AlertCondition Condition,
    double Threshold,
    TimeSpan For,
    double? ResolveThreshold = null,
    TimeSpan KeepFiringFor = default,
    TimeSpan? Within = null,
    ResourceKind? Resource = null,
    IReadOnlyList<Auspex.Core.Topology.LocalityKind>? Kinds = null,
    string Severity = "warning")
{
    /// <summary>Returns the reason the rule is invalid, or null.</summary>
    public string? Validate() =>
        string.IsNullOrWhiteSpace(Name) ? "alert rule name is empty"
        : For < TimeSpan.Zero || KeepFiringFor < TimeSpan.Zero ? $"alert {Name}: for and keep_firing_for must not be negative"
        : !double.IsFinite(Threshold) ? $"alert {Name}: threshold must be finite"
        : Condition == AlertCondition.ExhaustionWithin && (Within is null || Within <= TimeSpan.Zero) ? $"alert {Name}: exhaustion rules need a positive within"
        : ResolveThreshold is { } r && (Condition is AlertCondition.DesirabilityBelow or AlertCondition.HpsBelow ? r < Threshold : Condition == AlertCondition.UtilisationAbove && r > Threshold)
            ? $"alert {Name}: resolve threshold must lie on the healthy side of the threshold"
        : null;
}

/// <summary>Alert states (Prometheus semantics).</summary>
public enum AlertState
{
    /// <summary>Condition holds, not yet for long enough.</summary>
    Pending,
    /// <summary>Condition has held for the rule's duration.</summary>
    Firing,
    /// <summary>Was firing; the condition cleared. Kept for a while so receivers learn of it.</summary>
    Resolved,
}

/// <summary>One alert instance: a rule on one target.</summary>
/// <param name="Rule">Rule name.</param>
/// <param name="Target">Locality or component id (with <c>/resource</c> for exhaustion rules).</param>
/// <param name="State">Current state.</param>
/// <param name="Since">When it entered the current state.</param>
/// <param name="ActiveAt">When the condition started to hold.</param>
/// <param name="Value">The watched value at the last evaluation.</param>
/// <param name="Silenced">True while a maintenance window covers the target: tracked, not delivered.</param>
/// <param name="Labels">Identifying labels (stable: no values or times).</param>
/// <param name="Annotations">Summary and description with the current value and the score's explanation.</param>
public sealed record Alert(
    string Rule,
    string Target,
    AlertState State,
    DateTimeOffset Since,
    DateTimeOffset ActiveAt,
    double Value,
    bool Silenced,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations)
{
    /// <summary>The state as written in APIs: pending, firing, resolved.</summary>
    public string StateName => State.ToString().ToLowerInvariant();

    /// <summary>
    /// When it last started firing (Prometheus' <c>FiredAt</c>, Alertmanager's <c>startsAt</c>), kept when it resolves;
    /// null while pending or for alerts made before this was tracked.
    /// </summary>
    public DateTimeOffset? FiredAt { get; init; }

    /// <summary>Alertmanager's <c>startsAt</c>: <see cref="FiredAt"/>, else when it entered its state (firing) or became active (resolved).</summary>
    public DateTimeOffset StartsAt => FiredAt ?? (State == AlertState.Resolved ? ActiveAt : Since);

    /// <summary>
    /// Alertmanager's <c>endsAt</c>: when it resolved; for a firing alert <paramref name="validUntil"/> (the evaluation
    /// time plus the resolve timeout, as Prometheus sends it, so Alertmanager resolves it itself if the sender goes
    /// away); null otherwise.
    /// </summary>
    public DateTimeOffset? EndsAt(DateTimeOffset? validUntil) => State switch
    {
        AlertState.Resolved => Since,
        AlertState.Firing => validUntil,
        _ => null,
    };
}
