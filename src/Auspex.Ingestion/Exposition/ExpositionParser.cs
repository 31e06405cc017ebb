using System.Globalization;
using System.Text;
using Auspex.Core.Series;
using Auspex.Ingestion.RemoteWrite;

namespace Auspex.Ingestion.Exposition;

/// <summary>
/// Parses the Prometheus text format 0.0.4 and OpenMetrics 1.0 into series. Pure: text in, a <see cref="ParseResult"/>
/// out, every error with its line number. Counters, gauges, histograms (<c>_bucket</c> with <c>le</c>, <c>_sum</c>,
/// <c>_count</c>), summaries (<c>quantile</c>) and the other OpenMetrics types all become ordinary series named as
/// exposed; exemplars are accepted and dropped; <c>_created</c> follows <see cref="ExpositionOptions.IncludeCreated"/>.
/// A sample without a timestamp gets the scrape time. A series exposed twice at one timestamp is an error.
/// </summary>
public static class ExpositionParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses UTF-8 bytes (a scrape response body).</summary>
    /// <param name="utf8">The body.</param>
    /// <param name="format">The format the Content-Type announced.</param>
    /// <param name="scrapeTime">The timestamp of samples without one.</param>
    /// <param name="options">Parser options; <see cref="ExpositionOptions.Default"/> when null.</param>
    /// <param name="cache">Optional series-key cache kept across scrapes of one target (one format), for speed.</param>
    public static ParseResult Parse(ReadOnlySpan<byte> utf8, ExpositionFormat format, DateTimeOffset scrapeTime, ExpositionOptions? options = null,
        SeriesKeyCache? cache = null)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            return ParseResult.Failure(new ParseError(ParseErrorKind.Malformed, "the exposition is not valid UTF-8", e.Index >= 0 ? e.Index : null));
        }
        return Parse(text, format, scrapeTime, options, cache);
    }

    /// <summary>Parses exposition text.</summary>
    /// <param name="text">The exposition.</param>
    /// <param name="format">The format the Content-Type announced.</param>
    /// <param name="scrapeTime">The timestamp of samples without one.</param>
    /// <param name="options">Parser options; <see cref="ExpositionOptions.Default"/> when null.</param>
    /// <param name="cache">Optional series-key cache kept across scrapes of one target (one format), for speed.</param>
    public static ParseResult Parse(string text, ExpositionFormat format, DateTimeOffset scrapeTime, ExpositionOptions? options = null,
        SeriesKeyCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Reader(text, format, scrapeTime, options ?? ExpositionOptions.Default, cache).Run();
    }

    private sealed class Reader(string text, ExpositionFormat format, DateTimeOffset scrapeTime, ExpositionOptions options, SeriesKeyCache? cache)
    {
        private static readonly HashSet<string> TextTypes = ["counter", "gauge", "histogram", "summary", "untyped"];
        private static readonly HashSet<string> OpenMetricsTypes =
            ["counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown"];
        private static readonly HashSet<string> TypesWithCreated = ["counter", "histogram", "summary", "gaugehistogram"];

        private readonly bool _om = format == ExpositionFormat.OpenMetrics;
        private readonly List<ParseError> _errors = [];
        private readonly SeriesAccumulator _series = new();
        private readonly List<KeyValuePair<string, string>> _labels = [];
        private readonly Dictionary<string, string> _familyTypes = new(StringComparer.Ordinal);
        private string? _family;
        private string? _familyType;
        private int _lineNo;

        public ParseResult Run()
        {
            var sawEof = false;
            var pos = 0;
            while (pos < text.Length && _errors.Count < ParseResult.MaxErrors)
            {
                var end = text.IndexOf('\n', pos);
                if (end < 0)
                {
                    end = text.Length;
                }
                var line = text.AsSpan(pos, end - pos);
                pos = end + 1;
                _lineNo++;
                if (line.EndsWith('\r'))
                {
                    line = line[..^1];
                }
                if (sawEof)
                {
                    Error("content after '# EOF'");
                    break;
                }
                if (!_om)
                {
                    line = line.TrimStart(" \t");
                }
                if (line.IsEmpty)
                {
                    if (_om)
                    {
                        Error("empty lines are not allowed in OpenMetrics");
                    }
                    continue;
                }
                if (line[0] == '#')
                {
                    sawEof = Comment(line);
                }
                else
                {
                    SampleLine(line);
                }
            }
            if (_om && !sawEof && _errors.Count == 0)
            {
                _errors.Add(new ParseError(ParseErrorKind.Malformed, "the OpenMetrics exposition does not end with '# EOF'", Line: Math.Max(_lineNo, 1)));
            }
            return _errors.Count > 0 ? ParseResult.Failure(_errors) : ParseResult.Success(_series.Build());
        }

        /// <summary>Handles a '#' line; returns true for '# EOF'.</summary>
        private bool Comment(ReadOnlySpan<char> line)
        {
            if (_om && line.SequenceEqual("# EOF"))
            {
                return true;
            }
            var rest = line[1..];
            if (!rest.StartsWith(' ') && !rest.StartsWith('\t'))
            {
                if (_om)
                {
                    Error("a comment line must be '# HELP', '# TYPE', '# UNIT' or '# EOF'");
                }
                return false;
            }
            rest = rest.TrimStart(" \t");
            var keywordEnd = rest.IndexOfAny(' ', '\t');
            var keyword = keywordEnd < 0 ? rest : rest[..keywordEnd];
            var isHelp = keyword.SequenceEqual("HELP");
            var isType = keyword.SequenceEqual("TYPE");
            var isUnit = keyword.SequenceEqual("UNIT");
            if (!isHelp && !isType && !(isUnit && _om))
            {
                if (_om)
                {
                    Error($"unknown comment '# {keyword}': OpenMetrics allows HELP, TYPE, UNIT and EOF");
                }
                return false; // a free-form comment in the text format
            }
            rest = keywordEnd < 0 ? [] : rest[(keywordEnd + 1)..];
            if (!_om)
            {
                rest = rest.TrimStart(" \t");
            }
            var nameEnd = rest.IndexOfAny(' ', '\t');
            var name = nameEnd < 0 ? rest : rest[..nameEnd];
            if (!SeriesKey.IsValidMetricName(name.ToString()))
            {
                Error($"'# {keyword}' needs a valid metric name, got '{Clip(name)}'");
                return false;
            }
            var argument = nameEnd < 0 ? [] : rest[(nameEnd + 1)..];
            if (isType)
            {
                var type = argument.Trim(" \t").ToString();
                if (!(_om ? OpenMetricsTypes : TextTypes).Contains(type))
                {
                    Error($"unknown metric type '{Clip(type)}' for '{name}'");
                    return false;
                }
                var family = name.ToString();
                if (_familyTypes.ContainsKey(family))
                {
                    Error($"a second TYPE line for '{family}'");
                    return false;
                }
                _familyTypes[family] = type;
                _family = family;
                _familyType = type;
            }
            else if (isHelp)
            {
                if (!ValidHelpEscapes(argument))
                {
                    Error($"invalid escape sequence in the HELP text of '{name}': only \\\\, \\\" and \\n are allowed");
                }
            }
            return false;
        }

        private bool ValidHelpEscapes(ReadOnlySpan<char> help)
        {
            if (!_om)
            {
                return true; // the text format passes unknown escapes through
            }
            for (var i = 0; i < help.Length; i++)
            {
                if (help[i] == '\\' && (i + 1 >= help.Length || help[++i] is not ('\\' or 'n' or '"')))
                {
                    return false;
                }
            }
            return true;
        }

        private void SampleLine(ReadOnlySpan<char> line)
        {
            var pos = 0;
            SeriesKey? cached = null;
            var seriesEnd = cache is null ? -1 : SeriesTextEnd(line);
            if (seriesEnd > 0 && cache!.TryGet(line[..seriesEnd], out var hit))
            {
                cached = hit;
                pos = seriesEnd;
            }
            else
            {
                while (pos < line.Length && IsMetricChar(line[pos]))
                {
                    pos++;
                }
            }
            if (pos == 0)
            {
                Error($"expected a metric name at the start of the line, found '{line[0]}'");
                return;
            }
            var name = cached?.Metric ?? line[..pos].ToString();
            if (cached is null && !SeriesKey.IsValidMetricName(name))
            {
                Error($"metric name '{Clip(name)}' is invalid: it must match [a-zA-Z_:][a-zA-Z0-9_:]*");
                return;
            }
            var beforeValue = pos;
            SkipBlanks(line, ref pos);
            _labels.Clear();
            if (cached is null && pos < line.Length && line[pos] == '{')
            {
                pos++;
                if (!LabelSet(line, ref pos, name))
                {
                    return;
                }
                beforeValue = pos;
                SkipBlanks(line, ref pos);
            }
            var seriesText = line[..beforeValue];
            if (pos == beforeValue && pos < line.Length)
            {
                Error($"expected a space between '{name}' and its value");
                return;
            }
            var valueToken = Token(line, ref pos);
            if (valueToken.IsEmpty)
            {
                Error($"'{name}' has no value");
                return;
            }
            if (!TryParseFloat(valueToken, out var value))
            {
                Error($"'{Clip(valueToken)}' is not a number (the value of '{name}')");
                return;
            }
            var at = scrapeTime;
            SkipBlanks(line, ref pos);
            if (pos < line.Length && line[pos] != '#')
            {
                var tsToken = Token(line, ref pos);
                if (!TryParseTimestamp(tsToken, out var ts))
                {
                    Error(_om
                        ? $"'{Clip(tsToken)}' is not a timestamp in seconds (of '{name}')"
                        : $"'{Clip(tsToken)}' is not a timestamp in integer milliseconds (of '{name}')");
                    return;
                }
                if (options.HonorTimestamps)
                {
                    at = ts;
                }
                SkipBlanks(line, ref pos);
            }
            if (pos < line.Length)
            {
                if (!_om || line[pos] != '#')
                {
                    Error($"unexpected '{Clip(line[pos..])}' after the sample of '{name}'");
                    return;
                }
                if (!Exemplar(line[pos..], name))
                {
                    return;
                }
            }
            Accept(name, value, at, cached, seriesText);
        }

        /// <summary>Where the series text (name and label set) ends, quotes and escapes respected; -1 when unclear.</summary>
        private static int SeriesTextEnd(ReadOnlySpan<char> line)
        {
            var pos = 0;
            while (pos < line.Length && IsMetricChar(line[pos]))
            {
                pos++;
            }
            var nameEnd = pos;
            while (pos < line.Length && line[pos] is ' ' or '\t')
            {
                pos++;
            }
            if (pos >= line.Length || line[pos] != '{')
            {
                return nameEnd;
            }
            var quoted = false;
            for (pos++; pos < line.Length; pos++)
            {
                var c = line[pos];
                if (quoted && c == '\\')
                {
                    pos++;
                }
                else if (c == '"')
                {
                    quoted = !quoted;
                }
                else if (!quoted && c == '}')
                {
                    return pos + 1;
                }
            }
            return -1;
        }

        private void Accept(string name, double value, DateTimeOffset at, SeriesKey? cached, ReadOnlySpan<char> seriesText)
        {
            if (_om && !options.IncludeCreated && _familyType is not null && TypesWithCreated.Contains(_familyType) &&
                name.Length == _family!.Length + "_created".Length && name.StartsWith(_family, StringComparison.Ordinal) &&
                name.EndsWith("_created", StringComparison.Ordinal))
            {
                return;
            }
            if (_series.SampleCount >= options.MaxSamples)
            {
                _errors.Add(new ParseError(ParseErrorKind.LimitExceeded, string.Create(CultureInfo.InvariantCulture,
                    $"the exposition has more than {options.MaxSamples} samples"), Line: _lineNo));
                return;
            }
            SeriesKey key;
            if (cached is { } known)
            {
                key = known;
            }
            else
            {
                try
                {
                    key = new SeriesKey(name, Labels.From(_labels));
                }
                catch (ArgumentException e)
                {
                    Error(e.Message);
                    return;
                }
                cache?.Add(seriesText, key);
            }
            var outcome = _series.Add(key, new Sample(at, value));
            if (outcome == AddOutcome.SameTimestamp)
            {
                Error($"duplicate sample for {key} at one timestamp");
            }
            else if (outcome == AddOutcome.OutOfOrder && _om)
            {
                Error($"the samples of {key} are not in time order");
            }
        }

        private bool LabelSet(ReadOnlySpan<char> line, ref int pos, string metric)
        {
            while (true)
            {
                SkipBlanks(line, ref pos);
                if (pos >= line.Length)
                {
                    Error($"the label set of '{metric}' is not closed with '}}'");
                    return false;
                }
                if (line[pos] == '}')
                {
                    pos++;
                    return true;
                }
                var start = pos;
                while (pos < line.Length && IsLabelChar(line[pos]))
                {
                    pos++;
                }
                if (pos == start)
                {
                    Error($"expected a label name in the label set of '{metric}', found '{line[pos]}'");
                    return false;
                }
                var labelName = line[start..pos].ToString();
                if (!Labels.IsValidName(labelName))
                {
                    Error($"label name '{Clip(labelName)}' is invalid: it must match [a-zA-Z_][a-zA-Z0-9_]*");
                    return false;
                }
                if (labelName == "__name__")
                {
                    Error($"the label set of '{metric}' must not set '__name__'");
                    return false;
                }
                SkipBlanks(line, ref pos);
                if (pos >= line.Length || line[pos] != '=')
                {
                    Error($"expected '=' after label name '{labelName}'");
                    return false;
                }
                pos++;
                SkipBlanks(line, ref pos);
                if (pos >= line.Length || line[pos] != '"')
                {
                    Error($"expected '\"' to open the value of label '{labelName}'");
                    return false;
                }
                pos++;
                var value = QuotedValue(line, ref pos, labelName);
                if (value is null)
                {
                    return false;
                }
                _labels.Add(new(labelName, value));
                SkipBlanks(line, ref pos);
                if (pos < line.Length && line[pos] == ',')
                {
                    pos++;
                    continue;
                }
                if (pos < line.Length && line[pos] == '}')
                {
                    pos++;
                    return true;
                }
                Error($"expected ',' or '}}' after the value of label '{labelName}'");
                return false;
            }
        }

        private string? QuotedValue(ReadOnlySpan<char> line, ref int pos, string labelName)
        {
            var sb = new StringBuilder();
            while (pos < line.Length)
            {
                var c = line[pos++];
                if (c == '"')
                {
                    return sb.ToString();
                }
                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }
                if (pos >= line.Length)
                {
                    break;
                }
                var e = line[pos++];
                switch (e)
                {
                    case '\\':
                        sb.Append('\\');
                        break;
                    case '"':
                        sb.Append('"');
                        break;
                    case 'n':
                        sb.Append('\n');
                        break;
                    default:
                        Error($"invalid escape sequence '\\{e}' in the value of label '{labelName}': only \\\\, \\\" and \\n are allowed");
                        return null;
                }
            }
            Error($"the value of label '{labelName}' is not closed with '\"'");
            return null;
        }

        private bool Exemplar(ReadOnlySpan<char> rest, string metric)
        {
            // rest starts with '#': "# {labels} value [timestamp]". Validated for shape, then dropped.
            var pos = 1;
            if (pos >= rest.Length || rest[pos] != ' ' || pos + 1 >= rest.Length || rest[pos + 1] != '{')
            {
                Error($"malformed exemplar after the sample of '{metric}': expected ' # {{labels}} value'");
                return false;
            }
            var close = rest.IndexOf('}');
            if (close < 0)
            {
                Error($"malformed exemplar after the sample of '{metric}': its label set is not closed");
                return false;
            }
            var tail = rest[(close + 1)..].Trim(' ');
            var space = tail.IndexOf(' ');
            var valueToken = space < 0 ? tail : tail[..space];
            if (!TryParseFloat(valueToken, out _))
            {
                Error($"malformed exemplar after the sample of '{metric}': '{Clip(valueToken)}' is not a number");
                return false;
            }
            return true;
        }

        private bool TryParseTimestamp(ReadOnlySpan<char> token, out DateTimeOffset at)
        {
            at = default;
            if (_om)
            {
                if (!TryParseFloat(token, out var seconds) || !double.IsFinite(seconds) || Math.Abs(seconds) > 253_402_300_799)
                {
                    return false;
                }
                at = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
                return true;
            }
            if (!long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms) ||
                ms is < -62_135_596_800_000 or > 253_402_300_799_999)
            {
                return false;
            }
            at = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            return true;
        }

        private void Error(string message)
        {
            if (_errors.Count < ParseResult.MaxErrors)
            {
                _errors.Add(new ParseError(ParseErrorKind.Malformed, message, Line: _lineNo));
            }
        }

        private void SkipBlanks(ReadOnlySpan<char> line, ref int pos)
        {
            while (pos < line.Length && (line[pos] == ' ' || (!_om && line[pos] == '\t')))
            {
                pos++;
            }
        }

        private static ReadOnlySpan<char> Token(ReadOnlySpan<char> line, ref int pos)
        {
            var start = pos;
            while (pos < line.Length && line[pos] != ' ' && line[pos] != '\t')
            {
                pos++;
            }
            return line[start..pos];
        }
    }

    /// <summary>Parses a Prometheus float: decimal or exponent notation, <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c> (any case).</summary>
    internal static bool TryParseFloat(ReadOnlySpan<char> token, out double value)
    {
        var body = token.Length > 0 && token[0] is '+' or '-' ? token[1..] : token;
        if (body.Equals("Inf", StringComparison.OrdinalIgnoreCase) || body.Equals("Infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = token[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        if (body.Equals("NaN", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }
        if (body.IsEmpty || !(char.IsAsciiDigit(body[0]) || body[0] == '.'))
        {
            value = 0;
            return false;
        }
        return double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static bool IsMetricChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or ':';

    private static bool IsLabelChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static string Clip(ReadOnlySpan<char> s) => s.Length <= 40 ? s.ToString() : string.Concat(s[..37], "...");
}
