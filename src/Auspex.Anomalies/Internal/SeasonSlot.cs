namespace Auspex.Anomalies.Internal;

/// <summary>Maps a timestamp to its time-of-day slot (UTC).</summary>
internal static class SeasonSlot
{
    public static int Of(DateTimeOffset at, int slotsPerDay)
    {
        var tod = at.UtcTicks % TimeSpan.TicksPerDay;
        return (int)(tod * slotsPerDay / TimeSpan.TicksPerDay);
    }
}
