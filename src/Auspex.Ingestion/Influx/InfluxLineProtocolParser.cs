using System.Globalization;
using System.Text;
using Auspex.Core.Series;

namespace Auspex.Ingestion.Influx;

/// <summary>What the parser does with string fields, which have no numeric value.</summary>
public enum InfluxStringFields
{
    /// <summary>Drop them silently (the default, as Prometheus' influxdb_exporter does).</summary>
    Skip,

    /// <summary>Refuse the whole request naming the line.</summary>
    Reject,
}

/// <summary>Options of <see cref="InfluxLineProtocolParser"/>.</summary>
public sealed record InfluxOptions
{
    /// <summary>Skip or reject string fields. Default <see cref="InfluxStringFields.Skip"/>.</summary>
    public InfluxStringFields StringFields { get; init; } = InfluxStringFields.Skip;

    /// <summary>Most samples (numeric fields) in one request. Default 1,000,000.</summary>
    public int MaxSamples { get; init; } = 1_000_000;

    /// <summary>The defaults.</summary>
    public static InfluxOptions Default { get; } = new();
}

/// <summary>
/// Parses InfluxDB line protocol (<c>measurement[,tag=v...] field=v[,field=v...] [timestamp]</c>) into series, the way
/// Prometheus' influxdb_exporter maps it: each numeric field becomes the series <c>{measurement}_{field}</c> (just
/// <c>{measurement}</c> for a field named <c>value</c>), tags become labels, characters outside <c>[a-zA-Z0-9_]</c> in
/// names become <c>_</c>. Floats, integers (<c>i</c>), unsigned integers (<c>u</c>) and booleans (1/0) are kept;
/// strings follow <see cref="InfluxOptions.StringFields"/>. A point without a timestamp gets <c>now</c>. Of two points
/// for one series and timestamp the last wins, as in InfluxDB. Pure: text in, a <see cref="ParseResult"/> out.
/// </summary>
public static class InfluxLineProtocolParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses a UTF-8 request body.</summary>
    public static ParseResult Parse(ReadOnlySpan<byte> utf8, InfluxPrecision precision, DateTimeOffset now, InfluxOptions? options = null)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            return ParseResult.Failure(new ParseError(ParseErrorKind.Malformed, "the body is not valid UTF-8", e.Index >= 0 ? e.Index : null));
        }
        return Parse(text, precision, now, options);
    }

    /// <summary>Parses line protocol text.</summary>
    public static ParseResult Parse(string text, InfluxPrecision precision, DateTimeOffset now, InfluxOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Reader(text, precision, now, options ?? InfluxOptions.Default).Run();
    }

    /// <summary>The series name for a field: <c>{measurement}_{field}</c>, or the measurement alone for <c>value</c>.</summary>
    public static string MetricName(string measurement, string field)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        ArgumentNullException.ThrowIfNull(field);
        return field == "value" ? Sanitize(measurement) : Sanitize(measurement + "_" + field);
    }

    /// <summary>Replaces characters outside <c>[a-zA-Z0-9_]</c> with <c>_</c> and prefixes <c>_</c> to a leading digit.</summary>
    public static string Sanitize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var sb = new StringBuilder(name.Length + 1);
        if (name.Length > 0 && char.IsAsciiDigit(name[0]))
        {
            sb.Append('_');
        }
        foreach (var c in name)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }
        return sb.ToString();
    }

    private sealed class Reader(string text, InfluxPrecision precision, DateTimeOffset now, InfluxOptions options)
    {
        private readonly List<ParseError> _errors = [];
        private readonly SeriesAccumulator _series = new();
        private readonly List<KeyValuePair<string, string>> _tags = [];
        private readonly List<(string Key, double Value)> _fields = [];
        private int _pos;
        private int _line = 1;
        private int _pointLine;

        public ParseResult Run()
        {
            while (_pos < text.Length && _errors.Count < ParseResult.MaxErrors)
            {
                var c = text[_pos];
                if (c is ' ' or '\t' or '\r')
                {
                    _pos++;
                    continue;
                }
                if (c == '\n')
                {
                    _pos++;
                    _line++;
                    continue;
                }
                if (c == '#')
                {
                    SkipLine();
                    continue;
                }
                _pointLine = _line;
                if (!Point())
                {
                    SkipLine();
                }
            }
            return _errors.Count > 0 ? ParseResult.Failure(_errors) : ParseResult.Success(_series.Build());
        }

        private bool Point()
        {
            var measurement = Escaped(stopAtEquals: false);
            if (measurement.Length == 0)
            {
                return Fail("the line has no measurement name");
            }
            _tags.Clear();
            _fields.Clear();
            while (Peek() == ',')
            {
                _pos++;
                var key = Escaped(stopAtEquals: true);
                if (key.Length == 0 || Peek() != '=')
                {
                    return Fail($"a tag of '{measurement}' is not of the form key=value");
                }
                _pos++;
                var value = Escaped(stopAtEquals: false);
                if (value.Length == 0)
                {
                    return Fail($"tag '{key}' of '{measurement}' has an empty value");
                }
                _tags.Add(new(Sanitize(key), value));
            }
            if (Peek() != ' ')
            {
                return Fail($"'{measurement}' has no fields: expected a space then field=value");
            }
            while (Peek() == ' ')
            {
                _pos++;
            }
            var anyField = false;
            while (true)
            {
                var key = Escaped(stopAtEquals: true);
                if (key.Length == 0 || Peek() != '=')
                {
                    return Fail($"a field of '{measurement}' is not of the form key=value");
                }
                _pos++;
                if (!FieldValue(measurement, key))
                {
                    return false;
                }
                anyField = true;
                if (Peek() != ',')
                {
                    break;
                }
                _pos++;
            }
            if (!anyField)
            {
                return Fail($"'{measurement}' has no fields");
            }
            var at = now;
            while (Peek() is ' ' or '\t')
            {
                _pos++;
            }
            if (Peek() is not ('\n' or '\r' or '\0'))
            {
                var start = _pos;
                while (_pos < text.Length && text[_pos] is not (' ' or '\t' or '\r' or '\n'))
                {
                    _pos++;
                }
                var token = text.AsSpan(start, _pos - start);
                if (!long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var raw))
                {
                    return Fail($"'{Clip(token)}' is not an integer timestamp");
                }
                if (!InfluxPrecisions.TryToTime(raw, precision, out at))
                {
                    return Fail($"timestamp {raw} is outside the years 1 to 9999 at precision {precision}");
                }
                while (Peek() is ' ' or '\t' or '\r')
                {
                    _pos++;
                }
                if (Peek() is not ('\n' or '\0'))
                {
                    return Fail($"unexpected text after the timestamp of '{measurement}'");
                }
            }
            return Emit(measurement, at);
        }

        private bool Emit(string measurement, DateTimeOffset at)
        {
            if (_fields.Count == 0)
            {
                return true; // only string fields, skipped
            }
            Labels labels;
            try
            {
                labels = Labels.From(_tags);
            }
            catch (ArgumentException e)
            {
                return Fail(e.Message + " (tag keys are sanitised to [a-zA-Z0-9_])");
            }
            foreach (var (key, value) in _fields)
            {
                if (_series.SampleCount >= options.MaxSamples)
                {
                    _errors.Add(new ParseError(ParseErrorKind.LimitExceeded, string.Create(CultureInfo.InvariantCulture,
                        $"the request has more than {options.MaxSamples} samples"), Line: _pointLine));
                    return true;
                }
                _series.Add(new SeriesKey(MetricName(measurement, key), labels), new Sample(at, value));
            }
            return true;
        }

        private bool FieldValue(string measurement, string key)
        {
            if (_fields.Exists(f => f.Key == key))
            {
                return Fail($"field '{key}' of '{measurement}' appears twice");
            }
            if (Peek() == '"')
            {
                _pos++;
                while (_pos < text.Length && text[_pos] != '"')
                {
                    if (text[_pos] == '\\' && _pos + 1 < text.Length)
                    {
                        _pos++;
                    }
                    if (text[_pos] == '\n')
                    {
                        _line++;
                    }
                    _pos++;
                }
                if (_pos >= text.Length)
                {
                    return Fail($"the string value of field '{key}' is not closed with '\"'");
                }
                _pos++;
                if (options.StringFields == InfluxStringFields.Reject)
                {
                    return Fail($"field '{key}' of '{measurement}' is a string; only numeric and boolean fields are accepted");
                }
                return true;
            }
            var start = _pos;
            while (_pos < text.Length && text[_pos] is not (',' or ' ' or '\n' or '\r'))
            {
                _pos++;
            }
            var token = text.AsSpan(start, _pos - start);
            if (token.IsEmpty)
            {
                return Fail($"field '{key}' of '{measurement}' has no value");
            }
            if (!TryParseField(token, out var value))
            {
                return Fail($"field '{key}' of '{measurement}' has an invalid value '{Clip(token)}'");
            }
            _fields.Add((key, value));
            return true;
        }

        private static bool TryParseField(ReadOnlySpan<char> token, out double value)
        {
            value = 0;
            switch (token)
            {
                case "t" or "T" or "true" or "True" or "TRUE":
                    value = 1;
                    return true;
                case "f" or "F" or "false" or "False" or "FALSE":
                    return true;
            }
            var last = token[^1];
            if (last == 'i')
            {
                var ok = long.TryParse(token[..^1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l);
                value = l;
                return ok;
            }
            if (last == 'u')
            {
                var ok = ulong.TryParse(token[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var u);
                value = u;
                return ok;
            }
            var first = token[0] is '-' or '+' && token.Length > 1 ? token[1] : token[0];
            if (!char.IsAsciiDigit(first) && first != '.')
            {
                return false; // NaN and Inf are not line protocol
            }
            return double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
        }

        /// <summary>Reads a measurement, tag key/value or field key up to an unescaped delimiter, unescaping it.</summary>
        private string Escaped(bool stopAtEquals)
        {
            var sb = new StringBuilder();
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (c is ',' or ' ' or '\n' or '\r' || (stopAtEquals && c == '='))
                {
                    break;
                }
                if (c == '\\' && _pos + 1 < text.Length && text[_pos + 1] is ',' or ' ' or '=' or '\\')
                {
                    sb.Append(text[_pos + 1]);
                    _pos += 2;
                    continue;
                }
                sb.Append(c);
                _pos++;
            }
            return sb.ToString();
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipLine()
        {
            var end = text.IndexOf('\n', _pos);
            _pos = end < 0 ? text.Length : end;
        }

        private bool Fail(string message)
        {
            if (_errors.Count < ParseResult.MaxErrors)
            {
                _errors.Add(new ParseError(ParseErrorKind.Malformed, message, Line: _pointLine));
            }
            return false;
        }

        private static string Clip(ReadOnlySpan<char> s) => s.Length <= 40 ? s.ToString() : string.Concat(s[..37], "...");
    }
}
