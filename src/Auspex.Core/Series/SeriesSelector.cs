using System.Text;

namespace Auspex.Core.Series;

/// <summary>
/// Parses a PromQL series selector — <c>metric</c>, <c>{label="v"}</c>, <c>metric{a="1",b=~"x.*",c!="",d!~"y"}</c> —
/// into label matchers (the metric name becomes a <c>__name__</c> matcher).
/// </summary>
public static class SeriesSelector
{
    /// <summary>Parses a selector; returns the matchers, or null with the reason and its character position.</summary>
    public static IReadOnlyList<LabelMatcher>? TryParse(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the selector is empty";
            return null;
        }
        var s = text.Trim();
        var i = 0;
        var matchers = new List<LabelMatcher>();
        var name = ReadName(s, ref i, allowColon: true);
        if (name.Length > 0)
        {
            matchers.Add(LabelMatcher.Eq("__name__", name));
        }
        SkipSpace(s, ref i);
        if (i == s.Length)
        {
            return matchers.Count > 0 ? matchers : Fail(out error, "the selector is empty", 0);
        }
        if (s[i] != '{')
        {
            return Fail(out error, $"expected '{{' or the end, found '{s[i]}'", i);
        }
        i++;
        while (true)
        {
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == '}')
            {
                i++;
                break;
            }
            var label = ReadName(s, ref i, allowColon: false);
            if (label.Length == 0)
            {
                return Fail(out error, "expected a label name", i);
            }
            SkipSpace(s, ref i);
            LabelMatchType type;
            if (At(s, i, "=~")) { type = LabelMatchType.Regex; i += 2; }
            else if (At(s, i, "!~")) { type = LabelMatchType.NotRegex; i += 2; }
            else if (At(s, i, "!=")) { type = LabelMatchType.NotEqual; i += 2; }
            else if (At(s, i, "=")) { type = LabelMatchType.Equal; i += 1; }
            else
            {
                return Fail(out error, $"expected =, !=, =~ or !~ after label '{label}'", i);
            }
            SkipSpace(s, ref i);
            var value = ReadString(s, ref i, out var strErr);
            if (value is null)
            {
                return Fail(out error, strErr!, i);
            }
            try
            {
                matchers.Add(new LabelMatcher(label, type, value));
            }
            catch (ArgumentException e)
            {
                return Fail(out error, e.Message, i);
            }
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == ',')
            {
                i++;
                continue;
            }
            if (i < s.Length && s[i] == '}')
            {
                i++;
                break;
            }
            return Fail(out error, "expected ',' or '}'", i);
        }
        SkipSpace(s, ref i);
        if (i != s.Length)
        {
            return Fail(out error, "unexpected text after '}'", i);
        }
        if (matchers.Count == 0 || matchers.All(m => m.Matches(new SeriesKey("x", Labels.Empty)) && m.Name != "__name__"))
        {
            return Fail(out error, "a selector needs a metric name or at least one matcher that does not match the empty string", 0);
        }
        return matchers;
    }

    private static List<LabelMatcher>? Fail(out string? error, string reason, int pos)
    {
        error = $"{reason} (at character {pos + 1})";
        return null;
    }

    private static bool At(string s, int i, string token) => string.CompareOrdinal(s, i, token, 0, token.Length) == 0;

    private static void SkipSpace(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }
    }

    private static string ReadName(string s, ref int i, bool allowColon)
    {
        var start = i;
        while (i < s.Length && (char.IsAsciiLetter(s[i]) || s[i] == '_' || (allowColon && s[i] == ':') || (i > start && char.IsAsciiDigit(s[i]))))
        {
            i++;
        }
        return s[start..i];
    }

    private static string? ReadString(string s, ref int i, out string? error)
    {
        error = null;
        if (i >= s.Length || s[i] is not ('"' or '\'' or '`'))
        {
            error = "expected a quoted value";
            return null;
        }
        var quote = s[i++];
        var sb = new StringBuilder();
        while (i < s.Length && s[i] != quote)
        {
            if (s[i] == '\\' && quote != '`' && i + 1 < s.Length)
            {
                i++;
                sb.Append(s[i] switch { 'n' => '\n', 't' => '\t', _ => s[i] });
            }
            else
            {
                sb.Append(s[i]);
            }
            i++;
        }
        if (i >= s.Length)
        {
            error = "unterminated quoted value";
            return null;
        }
        i++;
        return sb.ToString();
    }
}
