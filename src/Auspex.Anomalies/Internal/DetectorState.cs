using System.Text;

namespace Auspex.Anomalies.Internal;

/// <summary>
/// The saved-state format: magic <c>AXAD</c>, format version, detector name, the options that shape the
/// detector, then the detector's own payload (its version, point count, feedback tolerance, model state).
/// Little-endian, via <see cref="BinaryWriter"/>.
/// </summary>
internal static class DetectorState
{
    private const int Magic = 0x44415841; // "AXAD"
    private const int FormatVersion = 1;

    public static byte[] Save(DetectorBase detector)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(detector.Name);
            WriteOptions(writer, detector.Options);
            detector.Write(writer);
        }
        return stream.ToArray();
    }

    public static byte[] Save(string name, AnomalyDetectorOptions options, Action<BinaryWriter> payload)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(name);
            WriteOptions(writer, options);
            payload(writer);
        }
        return stream.ToArray();
    }

    /// <summary>Reads the header; the reader is left at the payload.</summary>
    public static (string Name, AnomalyDetectorOptions Options) ReadHeader(BinaryReader reader)
    {
        if (reader.ReadInt32() != Magic)
        {
            throw new InvalidDataException("Not an Auspex anomaly-detector state (bad magic).");
        }
        var version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Unsupported anomaly-detector state format {version}.");
        }
        var name = reader.ReadString();
        var options = new AnomalyDetectorOptions
        {
            WarmupPoints = reader.ReadInt32(),
            Threshold = reader.ReadDouble(),
            Likelihood = reader.ReadBoolean(),
            SlotsPerDay = reader.ReadInt32(),
            FeedbackHalfLifePoints = reader.ReadInt32(),
        }.Validate();
        return (name, options);
    }

    private static void WriteOptions(BinaryWriter writer, AnomalyDetectorOptions options)
    {
        writer.Write(options.WarmupPoints);
        writer.Write(options.Threshold);
        writer.Write(options.Likelihood);
        writer.Write(options.SlotsPerDay);
        writer.Write(options.FeedbackHalfLifePoints);
    }

    public static void WriteArray(BinaryWriter writer, double[] values)
    {
        writer.Write(values.Length);
        foreach (var v in values)
        {
            writer.Write(v);
        }
    }

    public static void ReadArray(BinaryReader reader, double[] into)
    {
        var n = reader.ReadInt32();
        if (n != into.Length)
        {
            throw new InvalidDataException($"State array has {n} entries where {into.Length} were expected.");
        }
        for (var i = 0; i < n; i++)
        {
            into[i] = reader.ReadDouble();
        }
    }

    public static void WriteArray(BinaryWriter writer, int[] values)
    {
        writer.Write(values.Length);
        foreach (var v in values)
        {
            writer.Write(v);
        }
    }

    public static void ReadArray(BinaryReader reader, int[] into)
    {
        var n = reader.ReadInt32();
        if (n != into.Length)
        {
            throw new InvalidDataException($"State array has {n} entries where {into.Length} were expected.");
        }
        for (var i = 0; i < n; i++)
        {
            into[i] = reader.ReadInt32();
        }
    }
}
