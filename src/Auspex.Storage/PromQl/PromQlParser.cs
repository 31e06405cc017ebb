using System.Globalization;
using System.Text;
using Auspex.Core.Series;

namespace Auspex.Storage.PromQl;

/// <summary>
/// Parses the PromQL subset Auspex evaluates: vector selectors with <c>= != =~ !~</c> matchers, range selectors,
/// the range functions of <see cref="Functions"/>, <c>sum/avg/min/max/count</c> with <c>by</c>/<c>without</c>, number
/// literals and <c>+ - * / % ^</c> between scalars or a vector and a scalar. Anything else is a
/// <see cref="PromQlException"/> (<c>bad_data</c>) naming the construct and its character position.
/// </summary>
public static class PromQlParser
{
    /// <summary>The supported functions and their argument types.</summary>
    public static IReadOnlyDictionary<string, PromValueType[]> Functions { get; } = new Dictionary<string, PromValueType[]>(StringComparer.Ordinal)
    {
        ["rate"] = [PromValueType.Matrix],
        ["irate"] = [PromValueType.Matrix],
        ["increase"] = [PromValueType.Matrix],
        ["avg_over_time"] = [PromValueType.Matrix],
        ["min_over_time"] = [PromValueType.Matrix],
        ["max_over_time"] = [PromValueType.Matrix],
        ["sum_over_time"] = [PromValueType.Matrix],
        ["count_over_time"] = [PromValueType.Matrix],
        ["last_over_time"] = [PromValueType.Matrix],
        ["quantile_over_time"] = [PromValueType.Scalar, PromValueType.Matrix],
    };

    /// <summary>The supported aggregation operators.</summary>
    public static IReadOnlySet<string> Aggregations { get; } = new HashSet<string>(StringComparer.Ordinal) { "sum", "avg", "min", "max", "count" };

    private static readonly HashSet<string> OtherAggregations = new(StringComparer.Ordinal)
    {
        "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group", "limitk", "limit_ratio",
    };

    private static readonly HashSet<string> OtherFunctions = new(StringComparer.Ordinal)
    {
        "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "changes", "clamp",
        "clamp_max", "clamp_min", "cos", "cosh", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "deg",
        "delta", "deriv", "double_exponential_smoothing", "exp", "first_over_time", "floor", "histogram_avg",
        "histogram_count", "histogram_fraction", "histogram_quantile", "histogram_stddev", "histogram_stdvar",
        "histogram_sum", "holt_winters", "hour", "idelta", "label_join", "label_replace", "ln", "log10", "log2",
        "mad_over_time", "minute", "month", "pi", "predict_linear", "present_over_time", "rad", "resets", "round",
        "scalar", "sgn", "sin", "sinh", "sort", "sort_by_label", "sort_by_label_desc", "sort_desc", "sqrt",
        "stddev_over_time", "stdvar_over_time", "tan", "tanh", "time", "timestamp", "vector", "year",
    };

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "offset", "bool", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "atan2",
    };

    /// <summary>Parses a query; throws <see cref="PromQlException"/> (<c>bad_data</c>) with the reason and position.</summary>
    public static PromExpr Parse(string? query)
    {
        var p = new Parser(query ?? "");
        return p.ParseAll();
    }

    private static string TypeName(PromValueType t) => t switch
    {
        PromValueType.Scalar => "scalar",
        PromValueType.Vector => "instant vector",
        _ => "range vector",
    };

    private sealed class Parser(string s)
    {
        private int _i;

        public PromExpr ParseAll()
        {
            SkipSpace();
            if (_i == s.Length)
            {
                throw PromQlException.Parse("the query is empty", 0);
            }
            var e = ParseAdditive();
            SkipSpace();
            if (_i < s.Length)
            {
                CheckUnsupportedOperator();
                throw PromQlException.Parse($"unexpected '{s[_i]}' after the expression", _i);
            }
            return e;
        }

        private PromExpr ParseAdditive()
        {
            var left = ParseMultiplicative();
            while (true)
            {
                SkipSpace();
                if (_i < s.Length && (s[_i] == '+' || s[_i] == '-'))
                {
                    var pos = _i;
                    var op = s[_i++];
                    left = Binary(op, left, ParseOperand(ParseMultiplicative), pos);
                    continue;
                }
                CheckUnsupportedOperator();
                return left;
            }
        }

        private PromExpr ParseMultiplicative()
        {
            var left = ParseUnary();
            while (true)
            {
                SkipSpace();
                if (_i < s.Length && s[_i] is '*' or '/' or '%')
                {
                    var pos = _i;
                    var op = s[_i++];
                    left = Binary(op, left, ParseOperand(ParseUnary), pos);
                    continue;
                }
                return left;
            }
        }

        private PromExpr ParseUnary()
        {
            SkipSpace();
            if (_i < s.Length && s[_i] is '-' or '+')
            {
                var pos = _i;
                var sign = s[_i++];
                var operand = ParseUnary();
                if (operand.Type == PromValueType.Matrix)
                {
                    throw PromQlException.Parse("unary expression only allowed on expressions of type scalar or instant vector, got range vector", pos);
                }
                return sign == '+' ? operand
                    : operand is NumberLiteral n ? new NumberLiteral(-n.Value, pos)
                    : new NegateExpr(operand, pos);
            }
            return ParsePower();
        }

        private PromExpr ParsePower()
        {
            var bas = ParsePostfix(ParsePrimary());
            SkipSpace();
            if (_i < s.Length && s[_i] == '^')
            {
                var pos = _i++;
                return Binary('^', bas, ParseOperand(ParseUnary), pos);
            }
            return bas;
        }

        /// <summary>The right operand of a binary operator, refusing vector matching modifiers first.</summary>
        private PromExpr ParseOperand(Func<PromExpr> parse)
        {
            SkipSpace();
            var pos = _i;
            var word = PeekIdentifier();
            if (word is "bool")
            {
                throw PromQlException.Parse("the 'bool' modifier is not supported (comparison operators are not supported)", pos);
            }
            if (word is "on" or "ignoring" or "group_left" or "group_right")
            {
                throw PromQlException.Parse($"vector matching with '{word}' is not supported (binary operators work between a vector and a scalar only)", pos);
            }
            return parse();
        }

        private void CheckUnsupportedOperator()
        {
            if (_i >= s.Length)
            {
                return;
            }
            foreach (var op in new[] { "==", "!=", ">=", "<=", ">", "<" })
            {
                if (string.CompareOrdinal(s, _i, op, 0, op.Length) == 0)
                {
                    throw PromQlException.Parse($"comparison operator '{op}' is not supported (supported operators: + - * / % ^)", _i);
                }
            }
            if (PeekIdentifier() is "and" or "or" or "unless" or "atan2" && PeekIdentifier() is { } w)
            {
                throw PromQlException.Parse($"binary operator '{w}' is not supported (supported operators: + - * / % ^)", _i);
            }
        }

        private static PromExpr Binary(char op, PromExpr left, PromExpr right, int pos)
        {
            if (left.Type == PromValueType.Matrix || right.Type == PromValueType.Matrix)
            {
                var bad = left.Type == PromValueType.Matrix ? left : right;
                throw PromQlException.Parse("binary expression must contain only scalar and instant vector types, got range vector", bad.Position);
            }
            if (left.Type == PromValueType.Vector && right.Type == PromValueType.Vector)
            {
                throw PromQlException.Parse($"binary operator '{op}' between two vectors is not supported (only between a vector and a scalar, or two scalars)", pos);
            }
            return new BinaryExpr(op, left, right, pos);
        }

        private PromExpr ParsePrimary()
        {
            SkipSpace();
            if (_i >= s.Length)
            {
                throw PromQlException.Parse("unexpected end of the query, expected an expression", _i);
            }
            var pos = _i;
            var c = s[_i];
            if (c == '(')
            {
                _i++;
                var inner = ParseAdditive();
                SkipSpace();
                Expect(')', "expected ')' to close the '(' at character " + (pos + 1).ToString(CultureInfo.InvariantCulture));
                return inner;
            }
            if (char.IsAsciiDigit(c) || (c == '.' && _i + 1 < s.Length && char.IsAsciiDigit(s[_i + 1])))
            {
                return ParseNumber();
            }
            if (c is '"' or '\'' or '`')
            {
                throw PromQlException.Parse("string literals are not supported as expressions", pos);
            }
            if (c == '{')
            {
                return ParseSelector(null, pos);
            }
            if (char.IsAsciiLetter(c) || c is '_' or ':')
            {
                var name = ReadIdentifier(allowColon: true);
                var lower = name.ToLowerInvariant();
                SkipSpace();
                var next = _i < s.Length ? s[_i] : '\0';
                if (lower is "inf" or "nan" && next != '{' && next != '(')
                {
                    return new NumberLiteral(lower == "inf" ? double.PositiveInfinity : double.NaN, pos);
                }
                if (Keywords.Contains(name))
                {
                    throw PromQlException.Parse($"unexpected keyword '{name}', expected an expression", pos);
                }
                if (Aggregations.Contains(name) && (next == '(' || PeekIdentifier() is "by" or "without"))
                {
                    return ParseAggregation(name, pos);
                }
                if (next == '(')
                {
                    if (Functions.ContainsKey(name))
                    {
                        return ParseCall(name, pos);
                    }
                    if (OtherAggregations.Contains(name))
                    {
                        throw PromQlException.Parse($"aggregation '{name}' is not supported (supported: {string.Join(", ", Aggregations)})", pos);
                    }
                    if (OtherFunctions.Contains(name))
                    {
                        throw PromQlException.Parse($"function '{name}' is not supported (supported: {string.Join(", ", Functions.Keys)})", pos);
                    }
                    throw PromQlException.Parse($"unknown function '{name}'", pos);
                }
                return ParseSelector(name, pos);
            }
            throw PromQlException.Parse($"unexpected character '{c}', expected an expression", pos);
        }

        private PromExpr ParsePostfix(PromExpr e)
        {
            while (true)
            {
                SkipSpace();
                if (_i >= s.Length)
                {
                    return e;
                }
                var pos = _i;
                if (s[_i] == '[')
                {
                    var close = s.IndexOf(']', _i);
                    var body = close < 0 ? s[(_i + 1)..] : s[(_i + 1)..close];
                    if (body.Contains(':', StringComparison.Ordinal))
                    {
                        throw PromQlException.Parse("subqueries ('[range:resolution]') are not supported", pos);
                    }
                    if (close < 0)
                    {
                        throw PromQlException.Parse("unclosed '[' of a range selector", pos);
                    }
                    if (e is not VectorSelector vs)
                    {
                        throw PromQlException.Parse("ranges are only allowed on vector selectors, e.g. metric[5m]", pos);
                    }
                    var text = body.Trim();
                    if (!PromDuration.TryParse(text, out var range))
                    {
                        throw PromQlException.Parse($"'{text}' is not a duration (e.g. 30s, 5m, 1h, 1h30m)", pos + 1);
                    }
                    if (range <= TimeSpan.Zero)
                    {
                        throw PromQlException.Parse("the range of a range selector must be positive", pos + 1);
                    }
                    _i = close + 1;
                    e = new MatrixSelector(vs, range, vs.Position);
                    continue;
                }
                if (s[_i] == '@')
                {
                    throw PromQlException.Parse("the '@' modifier is not supported", pos);
                }
                if (PeekIdentifier() == "offset")
                {
                    throw PromQlException.Parse("the 'offset' modifier is not supported", pos);
                }
                return e;
            }
        }

        private NumberLiteral ParseNumber()
        {
            var pos = _i;
            if (_i + 1 < s.Length && s[_i] == '0' && s[_i + 1] is 'x' or 'X')
            {
                _i += 2;
                var hs = _i;
                while (_i < s.Length && char.IsAsciiHexDigit(s[_i]))
                {
                    _i++;
                }
                if (_i == hs || !long.TryParse(s.AsSpan(hs, _i - hs), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
                {
                    throw PromQlException.Parse($"invalid hexadecimal number '{s[pos.._i]}'", pos);
                }
                return new NumberLiteral(hex, pos);
            }
            while (_i < s.Length && (char.IsAsciiDigit(s[_i]) || s[_i] == '.'))
            {
                _i++;
            }
            if (_i < s.Length && s[_i] is 'e' or 'E')
            {
                var save = _i++;
                if (_i < s.Length && s[_i] is '+' or '-')
                {
                    _i++;
                }
                var ds = _i;
                while (_i < s.Length && char.IsAsciiDigit(s[_i]))
                {
                    _i++;
                }
                if (_i == ds)
                {
                    _i = save;
                }
            }
            if (_i < s.Length && (char.IsAsciiLetter(s[_i]) || s[_i] == '_'))
            {
                throw PromQlException.Parse($"unexpected '{s[_i]}' in the number '{s[pos..(_i + 1)]}' (durations are only allowed in range selectors)", _i);
            }
            var text = s[pos.._i];
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                throw PromQlException.Parse($"invalid number '{text}'", pos);
            }
            return new NumberLiteral(v, pos);
        }

        private VectorSelector ParseSelector(string? name, int pos)
        {
            var matchers = new List<LabelMatcher>();
            if (name is not null)
            {
                matchers.Add(LabelMatcher.Eq("__name__", name));
            }
            SkipSpace();
            if (_i < s.Length && s[_i] == '{')
            {
                _i++;
                while (true)
                {
                    SkipSpace();
                    if (_i < s.Length && s[_i] == '}')
                    {
                        _i++;
                        break;
                    }
                    var labelPos = _i;
                    var label = ReadIdentifier(allowColon: false);
                    if (label.Length == 0)
                    {
                        throw _i >= s.Length
                            ? PromQlException.Parse("unclosed '{' of a label matcher list", pos)
                            : PromQlException.Parse($"expected a label name, found '{s[_i]}'", _i);
                    }
                    SkipSpace();
                    LabelMatchType type;
                    if (At("=~")) { type = LabelMatchType.Regex; _i += 2; }
                    else if (At("!~")) { type = LabelMatchType.NotRegex; _i += 2; }
                    else if (At("!=")) { type = LabelMatchType.NotEqual; _i += 2; }
                    else if (At("=")) { type = LabelMatchType.Equal; _i += 1; }
                    else
                    {
                        throw PromQlException.Parse($"expected one of =, !=, =~, !~ after label '{label}'", _i);
                    }
                    SkipSpace();
                    var valuePos = _i;
                    var value = ReadString($"expected a quoted value for label '{label}'");
                    if (label == "__name__" && name is not null)
                    {
                        throw PromQlException.Parse("the metric name must not be set twice (in front of '{' and as __name__)", labelPos);
                    }
                    try
                    {
                        matchers.Add(new LabelMatcher(label, type, value));
                    }
                    catch (ArgumentException e)
                    {
                        throw PromQlException.Parse($"invalid regular expression for label '{label}': {e.Message}", valuePos);
                    }
                    SkipSpace();
                    if (_i < s.Length && s[_i] == ',')
                    {
                        _i++;
                        continue;
                    }
                    if (_i < s.Length && s[_i] == '}')
                    {
                        _i++;
                        break;
                    }
                    throw _i >= s.Length
                        ? PromQlException.Parse("unclosed '{' of a label matcher list", pos)
                        : PromQlException.Parse($"expected ',' or '}}' after a label matcher, found '{s[_i]}'", _i);
                }
            }
            if (!matchers.Any(m => !MatchesEmpty(m)))
            {
                throw PromQlException.Parse("a vector selector must contain at least one matcher that does not match the empty string (or a metric name)", pos);
            }
            return new VectorSelector(matchers, pos);
        }

        private static bool MatchesEmpty(LabelMatcher m) =>
            new LabelMatcher("x", m.Type, m.Value).Matches(new SeriesKey("m", Labels.Empty));

        private Aggregation ParseAggregation(string op, int pos)
        {
            IReadOnlyList<string>? grouping = null;
            var without = false;
            SkipSpace();
            if (PeekIdentifier() is "by" or "without" && PeekIdentifier() is { } kw)
            {
                ReadIdentifier(allowColon: false);
                without = kw == "without";
                grouping = ParseGrouping(kw);
                SkipSpace();
            }
            Expect('(', $"expected '(' after the aggregation '{op}'");
            SkipSpace();
            var argPos = _i;
            var arg = ParseAdditive();
            SkipSpace();
            if (_i < s.Length && s[_i] == ',')
            {
                throw PromQlException.Parse($"aggregation '{op}' takes one argument", _i);
            }
            Expect(')', $"expected ')' to close the aggregation '{op}'");
            if (arg.Type != PromValueType.Vector)
            {
                throw PromQlException.Parse($"expected type instant vector in aggregation expression, got {TypeName(arg.Type)}", argPos);
            }
            SkipSpace();
            if (PeekIdentifier() is "by" or "without" && PeekIdentifier() is { } kw2)
            {
                if (grouping is not null)
                {
                    throw PromQlException.Parse($"aggregation '{op}' has two grouping clauses", _i);
                }
                ReadIdentifier(allowColon: false);
                without = kw2 == "without";
                grouping = ParseGrouping(kw2);
            }
            return new Aggregation(op, arg, grouping ?? [], without, pos);
        }

        private List<string> ParseGrouping(string keyword)
        {
            SkipSpace();
            Expect('(', $"expected '(' after '{keyword}'");
            var labels = new List<string>();
            while (true)
            {
                SkipSpace();
                if (_i < s.Length && s[_i] == ')')
                {
                    _i++;
                    return labels;
                }
                var name = ReadIdentifier(allowColon: false);
                if (name.Length == 0)
                {
                    throw _i >= s.Length
                        ? PromQlException.Parse($"unclosed '(' of the '{keyword}' clause", _i)
                        : PromQlException.Parse($"expected a label name in the '{keyword}' clause, found '{s[_i]}'", _i);
                }
                labels.Add(name);
                SkipSpace();
                if (_i < s.Length && s[_i] == ',')
                {
                    _i++;
                    continue;
                }
                if (_i < s.Length && s[_i] == ')')
                {
                    _i++;
                    return labels;
                }
                throw _i >= s.Length
                    ? PromQlException.Parse($"unclosed '(' of the '{keyword}' clause", _i)
                    : PromQlException.Parse($"expected ',' or ')' in the '{keyword}' clause, found '{s[_i]}'", _i);
            }
        }

        private FunctionCall ParseCall(string name, int pos)
        {
            Expect('(', $"expected '(' after '{name}'");
            var args = new List<PromExpr>();
            var positions = new List<int>();
            SkipSpace();
            if (_i < s.Length && s[_i] == ')')
            {
                _i++;
            }
            else
            {
                while (true)
                {
                    SkipSpace();
                    positions.Add(_i);
                    args.Add(ParseAdditive());
                    SkipSpace();
                    if (_i < s.Length && s[_i] == ',')
                    {
                        _i++;
                        continue;
                    }
                    Expect(')', $"expected ',' or ')' in the call to '{name}'");
                    break;
                }
            }
            var types = Functions[name];
            if (args.Count != types.Length)
            {
                throw PromQlException.Parse(
                    $"function '{name}' expects {types.Length} argument{(types.Length == 1 ? "" : "s")}, got {args.Count}", pos);
            }
            for (var k = 0; k < args.Count; k++)
            {
                if (args[k].Type != types[k])
                {
                    throw PromQlException.Parse(
                        $"expected type {TypeName(types[k])} in call to function '{name}', got {TypeName(args[k].Type)}", positions[k]);
                }
            }
            return new FunctionCall(name, args, pos);
        }

        private string ReadString(string missing)
        {
            if (_i >= s.Length || s[_i] is not ('"' or '\'' or '`'))
            {
                throw PromQlException.Parse(missing, _i);
            }
            var start = _i;
            var quote = s[_i++];
            var sb = new StringBuilder();
            while (_i < s.Length && s[_i] != quote)
            {
                if (s[_i] == '\\' && quote != '`')
                {
                    if (_i + 1 >= s.Length)
                    {
                        break;
                    }
                    var esc = s[_i + 1];
                    switch (esc)
                    {
                        case 'n': sb.Append('\n'); break;
                        case 't': sb.Append('\t'); break;
                        case 'r': sb.Append('\r'); break;
                        case 'a': sb.Append('\a'); break;
                        case 'b': sb.Append('\b'); break;
                        case 'f': sb.Append('\f'); break;
                        case 'v': sb.Append('\v'); break;
                        case '\\': sb.Append('\\'); break;
                        case '"' or '\'': sb.Append(esc); break;
                        case 'x' or 'u' or 'U':
                            {
                                var len = esc == 'x' ? 2 : esc == 'u' ? 4 : 8;
                                if (_i + 2 + len > s.Length || !int.TryParse(s.AsSpan(_i + 2, len), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                                    || code > 0x10FFFF)
                                {
                                    throw PromQlException.Parse($"invalid escape sequence '\\{esc}' in a string", _i);
                                }
                                sb.Append(char.ConvertFromUtf32(code));
                                _i += len;
                                break;
                            }
                        default:
                            throw PromQlException.Parse($"unknown escape sequence '\\{esc}' in a string (write '\\\\{esc}' for a literal backslash)", _i);
                    }
                    _i += 2;
                    continue;
                }
                if (s[_i] == '\n' && quote != '`')
                {
                    break;
                }
                sb.Append(s[_i++]);
            }
            if (_i >= s.Length || s[_i] != quote)
            {
                throw PromQlException.Parse("unterminated quoted string", start);
            }
            _i++;
            return sb.ToString();
        }

        private void Expect(char c, string message)
        {
            SkipSpace();
            if (_i >= s.Length || s[_i] != c)
            {
                throw PromQlException.Parse(_i >= s.Length ? message + ", found the end of the query" : $"{message}, found '{s[_i]}'", _i);
            }
            _i++;
        }

        private bool At(string token) => string.CompareOrdinal(s, _i, token, 0, token.Length) == 0;

        private void SkipSpace()
        {
            while (_i < s.Length)
            {
                if (char.IsWhiteSpace(s[_i]))
                {
                    _i++;
                }
                else if (s[_i] == '#')
                {
                    while (_i < s.Length && s[_i] != '\n')
                    {
                        _i++;
                    }
                }
                else
                {
                    return;
                }
            }
        }

        private string? PeekIdentifier()
        {
            var save = _i;
            var id = ReadIdentifier(allowColon: false);
            _i = save;
            return id.Length == 0 ? null : id;
        }

        private string ReadIdentifier(bool allowColon)
        {
            var start = _i;
            while (_i < s.Length && (char.IsAsciiLetter(s[_i]) || s[_i] == '_' || (allowColon && s[_i] == ':') || (_i > start && char.IsAsciiDigit(s[_i]))))
            {
                _i++;
            }
            return s[start.._i];
        }
    }
}
