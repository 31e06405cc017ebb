using Auspex.Storage;

namespace Auspex.Engine.Configuration;

/// <summary>Replaying recorded series on an accelerated clock (the demo, or offline evaluation of a user's data).</summary>
public sealed class ReplaySettings
{
    /// <summary>Long-format CSV files (plain or .gz) to replay.</summary>
    public IReadOnlyList<string> Files { get; set; } = [];

    /// <summary>Simulated seconds per real second. Default 3600: one hour of trace per second.</summary>
    public double Speed { get; set; } = 3600;

    /// <summary>History written before the clock starts, so the first forecasts have data. Default 2 days.</summary>
    public TimeSpan WarmUp { get; set; } = TimeSpan.FromDays(2);
}

/// <summary>An API key as configured: only the SHA-256 of its token is kept.</summary>
/// <param name="Name">Who holds it (shown in the audit log).</param>
/// <param name="Role">viewer, operator or admin.</param>
/// <param name="Tenant">The tenant it reaches.</param>
/// <param name="TokenSha256">Lower-case hex SHA-256 of the token.</param>
public sealed record ApiKeySettings(string Name, string Role, string Tenant, string TokenSha256);

/// <summary>Everything the runtime needs to start.</summary>
public sealed class RuntimeSettings
{
    /// <summary>Directory holding the database file. Created when missing.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Topology file imported at start; when null the stored topology is used.</summary>
    public string? TopologyPath { get; set; }

    /// <summary>Long-format CSV files imported at start (each once: re-imports of an unchanged file are skipped).</summary>
    public IReadOnlyList<string> ImportFiles { get; set; } = [];

    /// <summary>Loop options.</summary>
    public EngineOptions Engine { get; set; } = new();

    /// <summary>Retention of the served tenant, or null for the store's default.</summary>
    public RetentionPolicy? Retention { get; set; }

    /// <summary>When set, these files are replayed on an accelerated clock instead of running on the wall clock.</summary>
    public ReplaySettings? Replay { get; set; }

    /// <summary>API keys accepted by the server. Mutating endpoints need one; with none configured they refuse every write.</summary>
    public IReadOnlyList<ApiKeySettings> ApiKeys { get; set; } = [];

    /// <summary>When true (default), read endpoints answer without a key.</summary>
    public bool AnonymousReads { get; set; } = true;

    /// <summary>Scrape jobs, Prometheus sources and remote_write sinks run next to the loop (docs/ingestion.md).</summary>
    public PipelineSettings Pipeline { get; set; } = new();

    /// <summary>Alert rules and Alertmanager receivers (docs/scoring.md, "Alerts").</summary>
    public Services.AlertSettings Alerts { get; set; } = new();

    /// <summary>The executor of plans and scaling decisions, and the loop's scaling stage (docs/orchestration.md).</summary>
    public OrchestrationSettings Orchestration { get; set; } = new();

    /// <summary>When true, the database file is deleted first (the demo starts fresh).</summary>
    public bool Fresh { get; set; }
}
