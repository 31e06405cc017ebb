using Auspex.Core.Series;

namespace Auspex.Storage;

/// <summary>
/// Durable documents (topology, policies, plans…) as JSON keyed by tenant, kind and id, and an append-only audit log.
/// </summary>
public interface IStateStore
{
    /// <summary>Inserts or replaces a document.</summary>
    Task PutAsync(TenantId tenant, string kind, string id, string json, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces many documents of one kind in a single transaction.</summary>
    Task PutManyAsync(TenantId tenant, string kind, IReadOnlyList<KeyValuePair<string, string>> documents, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>The document, or null.</summary>
    Task<string?> GetAsync(TenantId tenant, string kind, string id, CancellationToken cancellationToken = default);

    /// <summary>Every document of a kind, by id.</summary>
    Task<IReadOnlyList<StateDocument>> ListAsync(TenantId tenant, string kind, CancellationToken cancellationToken = default);

    /// <summary>Deletes a document; false when there was none.</summary>
    Task<bool> DeleteAsync(TenantId tenant, string kind, string id, CancellationToken cancellationToken = default);

    /// <summary>Appends to the audit log.</summary>
    Task AuditAsync(TenantId tenant, AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>The latest audit entries, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(TenantId tenant, int limit, CancellationToken cancellationToken = default);
}

/// <summary>A stored document.</summary>
public sealed record StateDocument(string Kind, string Id, string Json, DateTimeOffset UpdatedAt);

/// <summary>Who or what did what, when.</summary>
public sealed record AuditEntry(DateTimeOffset At, string Actor, string Action, string Target, string Detail);
