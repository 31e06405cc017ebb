namespace Auspex.Ingestion.Influx;

/// <summary>The unit of line-protocol timestamps (the <c>precision</c> query parameter).</summary>
public enum InfluxPrecision
{
    /// <summary>Nanoseconds (<c>ns</c>, v1 <c>n</c>): the default.</summary>
    Nanoseconds,

    /// <summary>Microseconds (<c>us</c>, v1 <c>u</c>).</summary>
    Microseconds,

    /// <summary>Milliseconds (<c>ms</c>).</summary>
    Milliseconds,

    /// <summary>Seconds (<c>s</c>).</summary>
    Seconds,

    /// <summary>Minutes (v1 <c>m</c>).</summary>
    Minutes,

    /// <summary>Hours (v1 <c>h</c>).</summary>
    Hours,
}

/// <summary>Parsing of the <c>precision</c> parameter as InfluxDB v1 and v2 spell it.</summary>
public static class InfluxPrecisions
{
    /// <summary>
    /// Reads <c>ns</c>/<c>n</c>, <c>us</c>/<c>u</c>/<c>µ</c>, <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>; null or empty means
    /// nanoseconds. Returns false for anything else.
    /// </summary>
    public static bool TryParse(string? text, out InfluxPrecision precision)
    {
        precision = InfluxPrecision.Nanoseconds;
        switch (text)
        {
            case null or "" or "n" or "ns":
                return true;
            case "u" or "us" or "µ" or "µs":
                precision = InfluxPrecision.Microseconds;
                return true;
            case "ms":
                precision = InfluxPrecision.Milliseconds;
                return true;
            case "s":
                precision = InfluxPrecision.Seconds;
                return true;
            case "m":
                precision = InfluxPrecision.Minutes;
                return true;
            case "h":
                precision = InfluxPrecision.Hours;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Converts a timestamp in <paramref name="precision"/> units; false when outside the years 1 to 9999.</summary>
    internal static bool TryToTime(long value, InfluxPrecision precision, out DateTimeOffset at)
    {
        at = default;
        Int128 ticks = precision switch
        {
            InfluxPrecision.Nanoseconds => value / 100,
            InfluxPrecision.Microseconds => (Int128)value * 10,
            InfluxPrecision.Milliseconds => (Int128)value * TimeSpan.TicksPerMillisecond,
            InfluxPrecision.Seconds => (Int128)value * TimeSpan.TicksPerSecond,
            InfluxPrecision.Minutes => (Int128)value * TimeSpan.TicksPerMinute,
            _ => (Int128)value * TimeSpan.TicksPerHour,
        };
        var utc = ticks + DateTime.UnixEpoch.Ticks;
        if (utc < DateTimeOffset.MinValue.UtcTicks || utc > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }
        at = new DateTimeOffset((long)utc, TimeSpan.Zero);
        return true;
    }
}
