using Auspex.Core.Series;

namespace Auspex.Storage;

/// <summary>Which stored resolution a read uses.</summary>
public enum Resolution
{
    /// <summary>Pick from the range's length: raw up to 2 days, 5-minute rollups up to 30 days, hourly beyond.</summary>
    Auto,
    /// <summary>Every stored sample.</summary>
    Raw,
    /// <summary>5-minute rollups (the mean of each bucket, stamped at the bucket's start).</summary>
    FiveMinutes,
    /// <summary>1-hour rollups.</summary>
    OneHour,
}

/// <summary>
/// The series store. Writes go through an <see cref="ISeriesAppender"/> transaction; reads are scoped to a tenant,
/// label matchers and a time range. Documented on-disk layout: docs/storage.md.
/// </summary>
public interface ISeriesStore
{
    /// <summary>Starts a write transaction for one tenant. Nothing is visible until <see cref="ISeriesAppender.CommitAsync"/>.</summary>
    ISeriesAppender BeginAppend(TenantId tenant);

    /// <summary>The keys of every series of the tenant that match all matchers (no matchers: all).</summary>
    IReadOnlyList<SeriesKey> FindSeries(TenantId tenant, IReadOnlyList<LabelMatcher> matchers);

    /// <summary>Reads matching series over <paramref name="range"/>, samples in time order, one value per timestamp (the last written).</summary>
    Task<IReadOnlyList<SeriesData>> ReadAsync(
        TenantId tenant, IReadOnlyList<LabelMatcher> matchers, TimeRange range, Resolution resolution = Resolution.Auto,
        CancellationToken cancellationToken = default);

    /// <summary>Folds raw samples older than <paramref name="upTo"/> into the 5-minute and hourly rollups.</summary>
    Task RollupAsync(DateTimeOffset upTo, CancellationToken cancellationToken = default);

    /// <summary>Deletes data older than each tenant's retention, measured back from <paramref name="now"/>.</summary>
    Task<RetentionReport> ApplyRetentionAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Sets a tenant's retention; raw must not be longer than the 5-minute rollups, nor they than the hourly ones.</summary>
    Task SetRetentionAsync(TenantId tenant, RetentionPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>A tenant's retention (the store's default when none was set).</summary>
    Task<RetentionPolicy> GetRetentionAsync(TenantId tenant, CancellationToken cancellationToken = default);
}

/// <summary>A write transaction: add samples, then commit (all or nothing) or roll back.</summary>
public interface ISeriesAppender : IAsyncDisposable
{
    /// <summary>Queues one sample. Invalid input (non-finite value) is recorded and makes the commit fail.</summary>
    void Add(SeriesKey key, DateTimeOffset at, double value);

    /// <summary>Queues a whole series.</summary>
    void Add(SeriesData series);

    /// <summary>Writes everything queued atomically, or nothing with the reasons when any sample was invalid.</summary>
    Task<AppendResult> CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>Drops everything queued.</summary>
    void Rollback();
}

/// <summary>What a commit did.</summary>
/// <param name="Samples">Samples written.</param>
/// <param name="NewSeries">Series seen for the first time.</param>
/// <param name="Errors">Why the commit was refused (empty on success). At most the first 20 are kept.</param>
public sealed record AppendResult(int Samples, int NewSeries, IReadOnlyList<string> Errors)
{
    /// <summary>True when the samples were written.</summary>
    public bool Ok => Errors.Count == 0;
}

/// <summary>How long each resolution is kept for one tenant.</summary>
public sealed record RetentionPolicy(TimeSpan Raw, TimeSpan FiveMinutes, TimeSpan OneHour)
{
    /// <summary>15 days raw, 90 days at 5 minutes, 400 days hourly.</summary>
    public static RetentionPolicy Default { get; } = new(TimeSpan.FromDays(15), TimeSpan.FromDays(90), TimeSpan.FromDays(400));

    /// <summary>The reason this policy is invalid, or null.</summary>
    public string? Validate() =>
        Raw <= TimeSpan.Zero || FiveMinutes <= TimeSpan.Zero || OneHour <= TimeSpan.Zero ? "every retention must be positive"
        : Raw > FiveMinutes || FiveMinutes > OneHour ? "retention must not shrink with coarser resolution (raw ≤ 5m ≤ 1h)"
        : null;
}

/// <summary>Rows deleted by one retention pass.</summary>
public sealed record RetentionReport(long RawDeleted, long FiveMinuteDeleted, long HourDeleted);
