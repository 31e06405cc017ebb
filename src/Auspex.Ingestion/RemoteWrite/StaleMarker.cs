namespace Auspex.Ingestion;

/// <summary>
/// Prometheus' staleness marker: a NaN with a fixed bit pattern (<c>0x7ff0000000000002</c>) that a sender writes when a
/// series disappears. Every parser here keeps it bit for bit, distinct from an ordinary NaN, so storage can apply its
/// own policy (see docs/ingestion.md).
/// </summary>
public static class StaleMarker
{
    /// <summary>The bit pattern of the marker.</summary>
    public const ulong Bits = 0x7ff0000000000002UL;

    /// <summary>The marker as a double.</summary>
    public static double Value => BitConverter.UInt64BitsToDouble(Bits);

    /// <summary>True when <paramref name="value"/> is the staleness marker (and not just any NaN).</summary>
    public static bool IsStale(double value) => BitConverter.DoubleToUInt64Bits(value) == Bits;
}
