using System.Buffers;
using System.Globalization;
using Auspex.Core.Series;
using Snappier;

namespace Auspex.Ingestion.RemoteWrite;

/// <summary>The outcome of decoding a remote_write 2.0 request.</summary>
/// <param name="Parsed">The float series, or the errors (nothing of a request with errors is stored).</param>
/// <param name="HistogramSamples">Native histogram samples in the request; Auspex stores float samples only, so these are not written.</param>
/// <param name="Exemplars">Exemplars in the request; not stored.</param>
public sealed record RemoteWriteV2Result(ParseResult Parsed, int HistogramSamples, int Exemplars);

/// <summary>
/// Decodes Prometheus remote_write 2.0 requests (<c>io.prometheus.write.v2.Request</c>, snappy block-compressed):
/// a <c>symbols</c> table of strings (field 4; the first MUST be the empty string) and <c>timeseries</c> (field 5) whose
/// <c>labels_refs</c> (field 1, packed or not) are pairs of indexes into the table — name, value, name, value — with float
/// <c>samples</c> (field 2: value 1, timestamp 2, start timestamp 3 ignored). Native histograms (3) and exemplars (4) are
/// counted and not stored; metadata (5), created timestamps (6) and unknown fields are skipped. Everything else —
/// limits, name rules, the sample policy — is the 1.0 decoder's (<see cref="RemoteWriteDecoder"/>). Pure: bytes in,
/// a result out; the fields may come in any order (symbols are read first).
/// </summary>
public static class RemoteWriteV2Decoder
{
    /// <summary>Decodes a request body as sent (<c>Content-Encoding: snappy</c>).</summary>
    /// <param name="body">The request body.</param>
    /// <param name="limits">Bounds on the request; <see cref="RemoteWriteLimits.Default"/> when null.</param>
    public static RemoteWriteV2Result Decode(ReadOnlySpan<byte> body, RemoteWriteLimits? limits = null)
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
            return Fail(ParseErrorKind.Malformed, $"the body is not snappy block-compressed data: {e.Message}", 0);
        }
        if (length > limits.MaxDecompressedBytes)
        {
            return Fail(ParseErrorKind.LimitExceeded, string.Create(CultureInfo.InvariantCulture,
                $"the decompressed payload would be {length} bytes, over the limit of {limits.MaxDecompressedBytes} bytes"), null);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            int written;
            try
            {
                if (!Snappy.TryDecompress(body, buffer.AsSpan(0, length), out written) || written != length)
                {
                    return Fail(ParseErrorKind.Malformed, "the snappy data does not decompress to the length its header declares", 0);
                }
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
            {
                return Fail(ParseErrorKind.Malformed, $"the snappy data is corrupt: {e.Message}", 0);
            }
            return DecodeUncompressed(buffer.AsSpan(0, length), limits);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Decodes an uncompressed protobuf <c>Request</c>. Byte offsets in errors refer to these bytes.</summary>
    public static RemoteWriteV2Result DecodeUncompressed(ReadOnlySpan<byte> protobuf, RemoteWriteLimits? limits = null)
    {
        limits ??= RemoteWriteLimits.Default;
        limits.Validate();
        if (protobuf.Length > limits.MaxDecompressedBytes)
        {
            return Fail(ParseErrorKind.LimitExceeded, string.Create(CultureInfo.InvariantCulture,
                $"the payload is {protobuf.Length} bytes, over the limit of {limits.MaxDecompressedBytes} bytes"), null);
        }
        var errors = new List<ParseError>();
        var symbols = new List<string>();
        var state = new State(limits, symbols);
        try
        {
            // Pass 1: the symbols table (it may come after the series that use it).
            var reader = new ProtoReader(protobuf, 0);
            while (!reader.AtEnd)
            {
                var field = reader.ReadTag(out var wireType);
                if (field != 4)
                {
                    reader.Skip(wireType);
                    continue;
                }
                reader.Expect(wireType, 2, "Request.symbols");
                var text = reader.ReadLengthDelimited(out var at);
                symbols.Add(state.Strings.Get(text) ?? throw new ProtoFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"symbol #{symbols.Count} is not valid UTF-8"), at));
            }
            if (symbols.Count > 0 && symbols[0].Length != 0)
            {
                return Fail(ParseErrorKind.Malformed, $"the first symbol must be the empty string, not '{Truncate(symbols[0])}'", null);
            }

            // Pass 2: the series.
            reader = new ProtoReader(protobuf, 0);
            while (!reader.AtEnd && state.Errors.Count < ParseResult.MaxErrors)
            {
                var field = reader.ReadTag(out var wireType);
                if (field != 5)
                {
                    reader.Skip(wireType);
                    continue;
                }
                reader.Expect(wireType, 2, "Request.timeseries");
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
        errors.AddRange(state.Errors);
        return errors.Count > 0
            ? new RemoteWriteV2Result(ParseResult.Failure(errors), state.Histograms, state.Exemplars)
            : new RemoteWriteV2Result(ParseResult.Success(state.Series.Build()), state.Histograms, state.Exemplars);
    }

    private static void DecodeSeries(ReadOnlySpan<byte> bytes, long start, State state)
    {
        var refs = state.Refs;
        var samples = state.Samples;
        refs.Clear();
        samples.Clear();
        var reader = new ProtoReader(bytes, start);
        while (!reader.AtEnd)
        {
            var field = reader.ReadTag(out var wireType);
            switch (field)
            {
                case 1 when wireType == 2: // packed labels_refs
                    var packed = reader.ReadLengthDelimited(out var packedAt);
                    var inner = new ProtoReader(packed, packedAt);
                    while (!inner.AtEnd)
                    {
                        refs.Add((inner.Offset, inner.ReadVarint()));
                    }
                    break;
                case 1:
                    reader.Expect(wireType, 0, "TimeSeries.labels_refs");
                    var refAt = reader.Offset;
                    refs.Add((refAt, reader.ReadVarint()));
                    break;
                case 2:
                    reader.Expect(wireType, 2, "TimeSeries.samples");
                    var sample = reader.ReadLengthDelimited(out var sampleAt);
                    samples.Add(DecodeSample(sample, sampleAt));
                    break;
                case 3:
                    reader.Expect(wireType, 2, "TimeSeries.histograms");
                    reader.ReadLengthDelimited(out _);
                    state.Histograms++;
                    break;
                case 4:
                    reader.Expect(wireType, 2, "TimeSeries.exemplars");
                    reader.ReadLengthDelimited(out _);
                    state.Exemplars++;
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
        if (refs.Count % 2 != 0)
        {
            state.Errors.Add(new ParseError(ParseErrorKind.Malformed, string.Create(CultureInfo.InvariantCulture,
                $"labels_refs has {refs.Count} entries; it must hold name/value pairs"), start, Series: $"#{state.SeriesIndex}"));
            return;
        }
        string? name = null;
        var nameCount = 0;
        var labels = state.Labels;
        labels.Clear();
        for (var i = 0; i < refs.Count; i += 2)
        {
            var labelName = Symbol(refs[i], state);
            var labelValue = Symbol(refs[i + 1], state);
            if (labelName is null || labelValue is null)
            {
                return;
            }
            if (labelName == "__name__")
            {
                name = labelValue;
                nameCount++;
            }
            else
            {
                labels.Add(new(labelName, labelValue));
            }
        }
        if (RemoteWriteDecoder.Validate(name, nameCount, labels, state.Limits) is { } error)
        {
            state.Errors.Add(new ParseError(error.Kind, error.Message, start, Series: RemoteWriteDecoder.Describe(state.SeriesIndex, name, labels)));
            return;
        }
        if (samples.Count == 0)
        {
            return; // a histogram-only series, or an empty one
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
            state.Errors.Add(new ParseError(ParseErrorKind.Malformed, e.Message, start, Series: RemoteWriteDecoder.Describe(state.SeriesIndex, name, labels)));
            return;
        }
        foreach (var s in samples)
        {
            state.Series.Add(key, s);
        }
    }

    private static string? Symbol((long At, ulong Ref) r, State state)
    {
        if (r.Ref < (ulong)state.Symbols.Count)
        {
            return state.Symbols[(int)r.Ref];
        }
        state.Errors.Add(new ParseError(ParseErrorKind.Malformed, string.Create(CultureInfo.InvariantCulture,
            $"label reference {r.Ref} is outside the symbols table ({state.Symbols.Count} symbols)"), r.At, Series: $"#{state.SeriesIndex}"));
        return null;
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
                    reader.Skip(wireType); // start_timestamp (rc.4) and anything newer
                    break;
            }
        }
        if (timestamp is < RemoteWriteDecoder.MinUnixMs or > RemoteWriteDecoder.MaxUnixMs)
        {
            throw new ProtoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"sample timestamp {timestamp} ms is outside the years 1 to 9999"), start);
        }
        return new Sample(DateTimeOffset.FromUnixTimeMilliseconds(timestamp), value);
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : string.Concat(s.AsSpan(0, 61), "...");

    private static RemoteWriteV2Result Fail(ParseErrorKind kind, string message, long? offset) =>
        new(ParseResult.Failure(new ParseError(kind, message, offset)), 0, 0);

    private sealed class State(RemoteWriteLimits limits, List<string> symbols)
    {
        public RemoteWriteLimits Limits { get; } = limits;
        public List<string> Symbols { get; } = symbols;
        public List<ParseError> Errors { get; } = [];
        public SeriesAccumulator Series { get; } = new();
        public Utf8StringPool Strings { get; } = new();
        public List<(long At, ulong Ref)> Refs { get; } = [];
        public List<KeyValuePair<string, string>> Labels { get; } = [];
        public List<Sample> Samples { get; } = [];
        public int SeriesIndex { get; set; }
        public int TotalSamples { get; set; }
        public int Histograms { get; set; }
        public int Exemplars { get; set; }
    }
}
