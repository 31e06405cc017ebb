using System.Buffers;
using System.Globalization;
using System.Text;
using Auspex.Core.Series;
using Snappier;

namespace Auspex.Ingestion.RemoteWrite;

/// <summary>
/// Decodes Prometheus remote_write 1.0 requests: a snappy block-compressed protobuf <c>prometheus.WriteRequest</c>.
/// Pure: bytes in, a <see cref="ParseResult"/> out. Metadata, exemplars and native histograms are skipped; unknown fields
/// are skipped as protobuf requires. Policy (see docs/ingestion.md): samples of a series are sorted by timestamp, the
/// last of several samples with one timestamp wins, a series sent twice in one request is merged, NaN and the
/// staleness marker (<see cref="StaleMarker"/>) are kept as they are, a series without samples is ignored.
/// </summary>
public static class RemoteWriteDecoder
{
    internal const long MinUnixMs = -62_135_596_800_000;
    internal const long MaxUnixMs = 253_402_300_799_999;

    /// <summary>Decodes a request body as sent by Prometheus (<c>Content-Encoding: snappy</c>).</summary>
    /// <param name="body">The request body.</param>
    /// <param name="limits">Bounds on the request; <see cref="RemoteWriteLimits.Default"/> when null.</param>
    /// <param name="cache">Optional cache of series keys shared between requests (same limits), for speed.</param>
    public static ParseResult Decode(ReadOnlySpan<byte> body, RemoteWriteLimits? limits = null, SeriesKeyCache? cache = null)
    {
        limits ??= RemoteWriteLimits.Default;
        limits.Validate();
        int length;
        try
        {
            length = Snappy.GetUncompressedLength(body);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
        {
            return Malformed($"the body is not snappy block-compressed data: {e.Message}", 0);
        }
        if (length > limits.MaxDecompressedBytes)
        {
            return ParseResult.Failure(new ParseError(ParseErrorKind.LimitExceeded, string.Create(
                CultureInfo.InvariantCulture,
                $"the decompressed payload would be {length} bytes, over the limit of {limits.MaxDecompressedBytes} bytes")));
        }
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            int written;
            try
            {
                if (!Snappy.TryDecompress(body, buffer.AsSpan(0, length), out written))
                {
                    return Malformed("the snappy data does not decompress to the length its header declares", 0);
                }
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
            {
                return Malformed($"the snappy data is corrupt: {e.Message}", 0);
            }
            if (written != length)
            {
                return Malformed(string.Create(CultureInfo.InvariantCulture,
                    $"the snappy data decompresses to {written} bytes but its header declares {length}"), 0);
            }
            return DecodeUncompressed(buffer.AsSpan(0, length), limits, cache);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Decodes an uncompressed protobuf <c>WriteRequest</c>. Byte offsets in errors refer to these bytes.</summary>
    /// <param name="protobuf">The uncompressed protobuf bytes.</param>
    /// <param name="limits">Bounds on the request; <see cref="RemoteWriteLimits.Default"/> when null.</param>
    /// <param name="cache">Optional cache of series keys shared between requests (same limits), for speed.</param>
    public static ParseResult DecodeUncompressed(ReadOnlySpan<byte> protobuf, RemoteWriteLimits? limits = null, SeriesKeyCache? cache = null)
    {
        limits ??= RemoteWriteLimits.Default;
        limits.Validate();
        if (protobuf.Length > limits.MaxDecompressedBytes)
        {
            return ParseResult.Failure(new ParseError(ParseErrorKind.LimitExceeded, string.Create(
                CultureInfo.InvariantCulture,
                $"the payload is {protobuf.Length} bytes, over the limit of {limits.MaxDecompressedBytes} bytes")));
        }
        var state = new DecodeState(limits, cache, Math.Min(protobuf.Length / 128, limits.MaxSeries)); // a node_exporter series with one sample is ~140 bytes
        try
        {
            var reader = new ProtoReader(protobuf, 0);
            while (!reader.AtEnd && state.Errors.Count < ParseResult.MaxErrors)
            {
                var field = reader.ReadTag(out var wireType);
                if (field != 1)
                {
                    reader.Skip(wireType);
                    continue;
                }
                reader.Expect(wireType, 2, "WriteRequest.timeseries");
                var at = reader.Offset;
                var series = reader.ReadLengthDelimited(out var start);
                if (state.SeriesIndex >= limits.MaxSeries)
                {
                    state.Errors.Add(new ParseError(ParseErrorKind.LimitExceeded, string.Create(CultureInfo.InvariantCulture,
                        $"the request has more than {limits.MaxSeries} series"), at));
                    break;
                }
                DecodeSeries(series, start, state);
                state.SeriesIndex++;
                if (state.TotalSamples > limits.MaxSamples)
                {
                    state.Errors.Add(new ParseError(ParseErrorKind.LimitExceeded, string.Create(CultureInfo.InvariantCulture,
                        $"the request has more than {limits.MaxSamples} samples"), at));
                    break;
                }
            }
        }
        catch (ProtoFormatException e)
        {
            state.Errors.Add(new ParseError(ParseErrorKind.Malformed, e.Message, e.Offset));
        }
        return state.Errors.Count > 0 ? ParseResult.Failure(state.Errors) : ParseResult.Success(state.Series.Build());
    }

    private static void DecodeSeries(ReadOnlySpan<byte> bytes, long start, DecodeState state)
    {
        if (state.Cache is { } cache && LabelSection(bytes, start) is { } section && cache.TryGet(bytes[section], out var cachedKey))
        {
            DecodeSamplesOnly(bytes, start, cachedKey, state);
            return;
        }
        var labels = state.Labels;
        var samples = state.Samples;
        labels.Clear();
        samples.Clear();
        string? name = null;
        var nameCount = 0;
        var reader = new ProtoReader(bytes, start);
        while (!reader.AtEnd)
        {
            var field = reader.ReadTag(out var wireType);
            switch (field)
            {
                case 1:
                    reader.Expect(wireType, 2, "TimeSeries.labels");
                    var label = reader.ReadLengthDelimited(out var labelAt);
                    var (labelName, labelValue) = DecodeLabel(label, labelAt, state.Strings);
                    if (labelName == "__name__")
                    {
                        name = labelValue;
                        nameCount++;
                    }
                    else
                    {
                        labels.Add(new(labelName, labelValue));
                    }
                    break;
                case 2:
                    reader.Expect(wireType, 2, "TimeSeries.samples");
                    var sample = reader.ReadLengthDelimited(out var sampleAt);
                    samples.Add(DecodeSample(sample, sampleAt));
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        var error = Validate(name, nameCount, labels, state.Limits);
        if (error is not null)
        {
            state.Errors.Add(new ParseError(error.Value.Kind, error.Value.Message, start,
                Series: Describe(state.SeriesIndex, name, labels)));
            return;
        }
        if (samples.Count == 0)
        {
            return;
        }
        state.TotalSamples += samples.Count;
        if (state.Errors.Count > 0 || state.TotalSamples > state.Limits.MaxSamples)
        {
            return;
        }
        SeriesKey key;
        try
        {
            key = new SeriesKey(name!, Core.Series.Labels.From(labels));
        }
        catch (ArgumentException e)
        {
            state.Errors.Add(new ParseError(ParseErrorKind.Malformed, e.Message, start, Series: Describe(state.SeriesIndex, name, labels)));
            return;
        }
        if (state.Cache is { } c && LabelSection(bytes, start) is { } labelBytes)
        {
            c.Add(bytes[labelBytes], key);
        }
        foreach (var s in samples)
        {
            state.Series.Add(key, s);
        }
    }

    /// <summary>The byte range of the labels when they are contiguous (as every sender writes them), else null.</summary>
    private static Range? LabelSection(ReadOnlySpan<byte> bytes, long start)
    {
        var reader = new ProtoReader(bytes, start);
        int first = -1, end = -1;
        var closed = false;
        while (!reader.AtEnd)
        {
            var at = (int)(reader.Offset - start);
            var field = reader.ReadTag(out var wireType);
            reader.Skip(wireType);
            if (field == 1)
            {
                if (closed)
                {
                    return null;
                }
                first = first < 0 ? at : first;
                end = (int)(reader.Offset - start);
            }
            else if (first >= 0)
            {
                closed = true;
            }
        }
        return first < 0 ? null : first..end;
    }

    private static void DecodeSamplesOnly(ReadOnlySpan<byte> bytes, long start, SeriesKey key, DecodeState state)
    {
        var samples = state.Samples;
        samples.Clear();
        var reader = new ProtoReader(bytes, start);
        while (!reader.AtEnd)
        {
            var field = reader.ReadTag(out var wireType);
            if (field == 2)
            {
                reader.Expect(wireType, 2, "TimeSeries.samples");
                var sample = reader.ReadLengthDelimited(out var sampleAt);
                samples.Add(DecodeSample(sample, sampleAt));
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        state.TotalSamples += samples.Count;
        if (state.Errors.Count > 0 || state.TotalSamples > state.Limits.MaxSamples)
        {
            return;
        }
        foreach (var s in samples)
        {
            state.Series.Add(key, s);
        }
    }

    internal static (ParseErrorKind Kind, string Message)? Validate(
        string? name, int nameCount, List<KeyValuePair<string, string>> labels, RemoteWriteLimits limits)
    {
        if (string.IsNullOrEmpty(name))
        {
            return (ParseErrorKind.Malformed, "the series has no __name__ label");
        }
        if (nameCount > 1)
        {
            return (ParseErrorKind.Malformed, "label name '__name__' appears twice");
        }
        if (!SeriesKey.IsValidMetricName(name))
        {
            return (ParseErrorKind.Malformed, $"metric name '{Truncate(name)}' is invalid: it must match [a-zA-Z_:][a-zA-Z0-9_:]*");
        }
        if (labels.Count + 1 > limits.MaxLabelsPerSeries)
        {
            return (ParseErrorKind.LimitExceeded, string.Create(CultureInfo.InvariantCulture,
                $"the series has {labels.Count + 1} labels, over the limit of {limits.MaxLabelsPerSeries}"));
        }
        if (name.Length > limits.MaxLabelValueLength)
        {
            return (ParseErrorKind.LimitExceeded, string.Create(CultureInfo.InvariantCulture,
                $"the metric name is {name.Length} characters long, over the limit of {limits.MaxLabelValueLength}"));
        }
        foreach (var (labelName, labelValue) in labels)
        {
            if (labelName.Length > limits.MaxLabelNameLength)
            {
                return (ParseErrorKind.LimitExceeded, string.Create(CultureInfo.InvariantCulture,
                    $"label name '{Truncate(labelName)}' is {labelName.Length} characters long, over the limit of {limits.MaxLabelNameLength}"));
            }
            if (labelValue.Length > limits.MaxLabelValueLength)
            {
                return (ParseErrorKind.LimitExceeded, string.Create(CultureInfo.InvariantCulture,
                    $"the value of label '{Truncate(labelName)}' is {labelValue.Length} characters long, over the limit of {limits.MaxLabelValueLength}"));
            }
            if (!Core.Series.Labels.IsValidName(labelName))
            {
                return (ParseErrorKind.Malformed, $"label name '{Truncate(labelName)}' is invalid: it must match [a-zA-Z_][a-zA-Z0-9_]*");
            }
        }
        for (var i = 0; i < labels.Count; i++)
        {
            for (var j = i + 1; j < labels.Count; j++)
            {
                if (labels[i].Key == labels[j].Key)
                {
                    return (ParseErrorKind.Malformed, $"label name '{labels[i].Key}' appears twice");
                }
            }
        }
        return null;
    }

    private static (string Name, string Value) DecodeLabel(ReadOnlySpan<byte> bytes, long start, Utf8StringPool strings)
    {
        var name = "";
        var value = "";
        var reader = new ProtoReader(bytes, start);
        while (!reader.AtEnd)
        {
            var field = reader.ReadTag(out var wireType);
            if (field is 1 or 2)
            {
                reader.Expect(wireType, 2, field == 1 ? "Label.name" : "Label.value");
                var text = reader.ReadLengthDelimited(out var at);
                var s = strings.Get(text) ?? throw new ProtoFormatException(
                    field == 1 ? "a label name is not valid UTF-8" : "a label value is not valid UTF-8", at);
                if (field == 1)
                {
                    name = s;
                }
                else
                {
                    value = s;
                }
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        return (name, value);
    }

    private static Sample DecodeSample(ReadOnlySpan<byte> bytes, long start)
    {
        double value = 0;
        long timestamp = 0;
        var reader = new ProtoReader(bytes, start);
        while (!reader.AtEnd)
        {
            var field = reader.ReadTag(out var wireType);
            switch (field)
            {
                case 1:
                    reader.Expect(wireType, 1, "Sample.value");
                    value = reader.ReadDouble();
                    break;
                case 2:
                    reader.Expect(wireType, 0, "Sample.timestamp");
                    timestamp = unchecked((long)reader.ReadVarint());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
        if (timestamp is < MinUnixMs or > MaxUnixMs)
        {
            throw new ProtoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"sample timestamp {timestamp} ms is outside the years 1 to 9999"), start);
        }
        return new Sample(DateTimeOffset.FromUnixTimeMilliseconds(timestamp), value);
    }

    internal static string Describe(int index, string? name, List<KeyValuePair<string, string>> labels)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"#{index} ").Append(string.IsNullOrEmpty(name) ? "" : Truncate(name)).Append('{');
        for (var i = 0; i < labels.Count && sb.Length < 200; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            sb.Append(Truncate(labels[i].Key)).Append("=\"").Append(Truncate(labels[i].Value)).Append('"');
        }
        return sb.Append('}').ToString();
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : string.Concat(s.AsSpan(0, 61), "...");

    private static ParseResult Malformed(string message, long offset) =>
        ParseResult.Failure(new ParseError(ParseErrorKind.Malformed, message, offset));

    private sealed class DecodeState(RemoteWriteLimits limits, SeriesKeyCache? cache, int seriesHint)
    {
        public RemoteWriteLimits Limits { get; } = limits;
        public SeriesKeyCache? Cache { get; } = cache;
        public List<ParseError> Errors { get; } = [];
        public SeriesAccumulator Series { get; } = new(seriesHint);
        public Utf8StringPool Strings { get; } = new();
        public List<KeyValuePair<string, string>> Labels { get; } = [];
        public List<Sample> Samples { get; } = [];
        public int SeriesIndex { get; set; }
        public int TotalSamples { get; set; }
    }
}
