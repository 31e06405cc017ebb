namespace Auspex.Anomalies.Internal;

/// <summary>Maps a timestamp to its time-of-day slot (UTC).</summary>
internal static class SeasonSlot
{
    public static int Of(DateTimeOffset at, int slotsPerDay)
    {
        var tod = at.UtcTicks % TimeSpan.TicksPerDay;
        return (int)(tod * slotsPerDay / TimeSpan.TicksPerDay);
    }

    /// <summary>The time-of-week slot: weekday (UTC, Sunday = 0) × slots per day + time-of-day slot.</summary>
    public static int OfWeek(DateTimeOffset at, int slotsPerDay)
        => ((int)at.UtcDateTime.DayOfWeek * slotsPerDay) + Of(at, slotsPerDay);
}
