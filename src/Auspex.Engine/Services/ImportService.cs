using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Ingestion.Csv;
using Auspex.Ingestion.TopologyFiles;
using Auspex.Storage;

namespace Auspex.Engine.Services;

/// <summary>The outcome of an import: what was stored, or why nothing was.</summary>
public sealed record ImportResult(string Source, long Rows, int Series, int Samples, IReadOnlyList<string> Errors)
{
    /// <summary>True when the data was stored.</summary>
    public bool Ok => Errors.Count == 0;
}

/// <summary>Imports topology files and long-format CSV into the store (the application service behind <c>auspex import</c> and the API).</summary>
public sealed class ImportService(EmbeddedStore store, TimeProvider clock)
{
    /// <summary>The state-store kind under which the topology's source is kept.</summary>
    public const string TopologyKind = "topology";

    /// <summary>Reads, validates and stores a topology file; returns the topology or the errors.</summary>
    public async Task<TopologyFileResult> ImportTopologyAsync(string path, string actor, CancellationToken ct = default)
    {
        var result = TopologyFile.Load(path);
        if (result.Topology is { } t)
        {
            await store.State.PutAsync(t.Tenant, TopologyKind, "current", await File.ReadAllTextAsync(path, ct).ConfigureAwait(false), clock.GetUtcNow(), ct).ConfigureAwait(false);
            await store.State.AuditAsync(t.Tenant, new AuditEntry(clock.GetUtcNow(), actor, "import-topology", path,
                $"{t.Localities.Count} localities, {t.Components.Count} components"), ct).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>The stored topology of a tenant, or null when none was imported.</summary>
    public async Task<Topology?> LoadTopologyAsync(TenantId tenant, CancellationToken ct = default)
    {
        var yaml = await store.State.GetAsync(tenant, TopologyKind, "current", ct).ConfigureAwait(false);
        return yaml is null ? null : TopologyFile.Parse(yaml, "stored topology").Topology;
    }

    /// <summary>Reads a long-format CSV (plain or .gz) and stores it in one transaction, or nothing with the reasons.</summary>
    public async Task<ImportResult> ImportCsvAsync(TenantId tenant, string path, string actor, CancellationToken ct = default)
    {
        var read = LongCsv.ReadFile(path);
        if (!read.Ok)
        {
            return new ImportResult(path, read.Rows, 0, 0, read.Errors);
        }
        return await StoreAsync(tenant, path, read.Rows, read.Series, actor, ct).ConfigureAwait(false);
    }

    /// <summary>Stores parsed series in one transaction.</summary>
    public async Task<ImportResult> StoreAsync(TenantId tenant, string source, long rows, IReadOnlyList<SeriesData> series, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        await using var app = store.Series.BeginAppend(tenant);
        foreach (var s in series)
        {
            app.Add(s);
        }
        var r = await app.CommitAsync(ct).ConfigureAwait(false);
        if (!r.Ok)
        {
            return new ImportResult(source, rows, 0, 0, r.Errors);
        }
        await store.State.AuditAsync(tenant, new AuditEntry(clock.GetUtcNow(), actor, "import-series", source,
            $"{series.Count} series, {r.Samples} samples"), ct).ConfigureAwait(false);
        return new ImportResult(source, rows, series.Count, r.Samples, []);
    }
}
