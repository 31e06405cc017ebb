using Auspex.Core.Series;
using Auspex.Storage.PromQl;

namespace Auspex.Storage.Tests.PromQl;

public sealed class PromQlParserTests
{
    [Fact]
    public void Parse_MetricWithEveryMatcherType_ReadsNameAndMatchers()
    {
        var e = Assert.IsType<VectorSelector>(PromQlParser.Parse("node_cpu_seconds_total{mode=\"idle\", cpu!=\"0\", job=~\"node|ex.*\", instance!~'10\\\\..*',}"));
        Assert.Equal(
            ["__name__=\"node_cpu_seconds_total\"", "mode=\"idle\"", "cpu!=\"0\"", "job=~\"node|ex.*\"", "instance!~\"10\\..*\""],
            e.Matchers.Select(m => m.ToString()));
    }

    [Fact]
    public void Parse_NameMatcherOnlyAndColonNames_AreSelectors()
    {
        var e = Assert.IsType<VectorSelector>(PromQlParser.Parse("{__name__=~\"job:.*\"}"));
        Assert.Equal(LabelMatchType.Regex, e.Matchers.Single().Type);
        var rec = Assert.IsType<VectorSelector>(PromQlParser.Parse("job:http_requests:rate5m"));
        Assert.Equal("job:http_requests:rate5m", rec.Matchers.Single().Value);
    }

    [Fact]
    public void Parse_RegexMatcher_IsFullyAnchored()
    {
        var e = Assert.IsType<VectorSelector>(PromQlParser.Parse("x{host=~\"vm-1\"}"));
        var m = e.Matchers[1];
        Assert.True(m.Matches(new SeriesKey("x", Labels.Of("host", "vm-1"))));
        Assert.False(m.Matches(new SeriesKey("x", Labels.Of("host", "vm-10"))));
        Assert.False(m.Matches(new SeriesKey("x", Labels.Of("host", "avm-1"))));
    }

    [Theory]
    [InlineData("x[5m]", 300)]
    [InlineData("x{a=\"b\"}[1h30m]", 5400)]
    [InlineData("x[ 30s ]", 30)]
    [InlineData("x[1d]", 86400)]
    [InlineData("x[1w]", 604800)]
    [InlineData("x[1500ms]", 1.5)]
    public void Parse_RangeSelector_ReadsTheDuration(string q, double seconds)
    {
        var e = Assert.IsType<MatrixSelector>(PromQlParser.Parse(q));
        Assert.Equal(TimeSpan.FromSeconds(seconds), e.Range);
    }

    [Theory]
    [InlineData("rate(x[5m])", "rate")]
    [InlineData("irate(x[5m])", "irate")]
    [InlineData("increase(x[1h])", "increase")]
    [InlineData("avg_over_time(x[1h])", "avg_over_time")]
    [InlineData("min_over_time(x[1h])", "min_over_time")]
    [InlineData("max_over_time(x[1h])", "max_over_time")]
    [InlineData("sum_over_time(x[1h])", "sum_over_time")]
    [InlineData("count_over_time(x[1h])", "count_over_time")]
    [InlineData("last_over_time(x[1h])", "last_over_time")]
    [InlineData("quantile_over_time(0.95, x[1h])", "quantile_over_time")]
    public void Parse_EverySupportedFunction(string q, string name)
    {
        var f = Assert.IsType<FunctionCall>(PromQlParser.Parse(q));
        Assert.Equal(name, f.Name);
        Assert.IsType<MatrixSelector>(f.Args[^1]);
    }

    [Theory]
    [InlineData("sum by (job) (rate(x[5m]))", "sum", false, "job")]
    [InlineData("sum(rate(x[5m])) by (job, instance)", "sum", false, "job,instance")]
    [InlineData("avg without (cpu) (x)", "avg", true, "cpu")]
    [InlineData("min(x) without (cpu,)", "min", true, "cpu")]
    [InlineData("max(x)", "max", false, "")]
    [InlineData("count by () (x)", "count", false, "")]
    public void Parse_Aggregations_InBothPositions(string q, string op, bool without, string grouping)
    {
        var a = Assert.IsType<Aggregation>(PromQlParser.Parse(q));
        Assert.Equal(op, a.Op);
        Assert.Equal(without, a.Without);
        Assert.Equal(grouping, string.Join(",", a.Grouping));
    }

    [Fact]
    public void Parse_Arithmetic_PrecedenceAndAssociativity()
    {
        // 1 + 2 * 3 → +(1, *(2, 3))
        var add = Assert.IsType<BinaryExpr>(PromQlParser.Parse("1 + 2 * 3"));
        Assert.Equal('+', add.Op);
        Assert.Equal('*', Assert.IsType<BinaryExpr>(add.Right).Op);
        // 2 ^ 3 ^ 2 is right-associative
        var pow = Assert.IsType<BinaryExpr>(PromQlParser.Parse("2 ^ 3 ^ 2"));
        Assert.IsType<NumberLiteral>(pow.Left);
        Assert.Equal('^', Assert.IsType<BinaryExpr>(pow.Right).Op);
        // -2 ^ 2 is -(2 ^ 2)
        Assert.IsType<NegateExpr>(PromQlParser.Parse("-2 ^ 2"));
        // 10 - 4 - 3 is left-associative
        var sub = Assert.IsType<BinaryExpr>(PromQlParser.Parse("10 - 4 - 3"));
        Assert.IsType<BinaryExpr>(sub.Left);
        Assert.Equal(PromValueType.Vector, PromQlParser.Parse("x * 100").Type);
        Assert.Equal(PromValueType.Vector, PromQlParser.Parse("100 - avg_over_time(x[5m]) / 2").Type);
        Assert.Equal(PromValueType.Scalar, PromQlParser.Parse("(1 + 2) % 2").Type);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("1.5e3", 1500)]
    [InlineData(".5", 0.5)]
    [InlineData("0x1F", 31)]
    [InlineData("-7", -7)]
    [InlineData("+Inf", double.PositiveInfinity)]
    [InlineData("-inf", double.NegativeInfinity)]
    [InlineData("NaN", double.NaN)]
    public void Parse_NumberLiterals(string q, double v)
    {
        var n = Assert.IsType<NumberLiteral>(PromQlParser.Parse(q));
        Assert.Equal(v, n.Value);
    }

    [Fact]
    public void Parse_CommentsAndNewlines_AreWhitespace()
    {
        var a = Assert.IsType<Aggregation>(PromQlParser.Parse("sum by (job) (\n  rate(x[5m]) # per second\n)"));
        Assert.Equal("sum", a.Op);
    }

    [Theory]
    // what, and the 1-based character named in the message
    [InlineData("", "the query is empty", 1)]
    [InlineData("   ", "the query is empty", 1)]
    [InlineData("x{", "unclosed '{'", 1)]
    [InlineData("x{a=\"b\"", "unclosed '{'", 1)]
    [InlineData("x{a}", "expected one of =, !=, =~, !~ after label 'a'", 4)]
    [InlineData("x{a=b}", "expected a quoted value for label 'a'", 5)]
    [InlineData("x{a=\"b}", "unterminated quoted string", 5)]
    [InlineData("x{a=\"b\" c=\"d\"}", "expected ',' or '}' after a label matcher, found 'c'", 9)]
    [InlineData("x{1a=\"b\"}", "expected a label name, found '1'", 3)]
    [InlineData("x{a=~\"(\"}", "invalid regular expression for label 'a'", 6)]
    [InlineData("x{a=\"\\q\"}", "unknown escape sequence '\\q'", 6)]
    [InlineData("{a=\"\"}", "at least one matcher that does not match the empty string", 1)]
    [InlineData("{a=~\".*\"}", "at least one matcher that does not match the empty string", 1)]
    [InlineData("x{__name__=\"y\"}", "the metric name must not be set twice", 3)]
    [InlineData("x[5x]", "'5x' is not a duration", 3)]
    [InlineData("x[5m", "unclosed '['", 2)]
    [InlineData("x[0s]", "the range of a range selector must be positive", 3)]
    [InlineData("x[1m5h]", "'1m5h' is not a duration", 3)]
    [InlineData("x[5m:1m]", "subqueries ('[range:resolution]') are not supported", 2)]
    [InlineData("rate(x[5m])[1h]", "ranges are only allowed on vector selectors", 12)]
    [InlineData("x offset 5m", "the 'offset' modifier is not supported", 3)]
    [InlineData("x @ 1700000000", "the '@' modifier is not supported", 3)]
    [InlineData("x > 1", "comparison operator '>' is not supported", 3)]
    [InlineData("x == 1", "comparison operator '==' is not supported", 3)]
    [InlineData("x and y", "binary operator 'and' is not supported", 3)]
    [InlineData("x or y", "binary operator 'or' is not supported", 3)]
    [InlineData("x + y", "binary operator '+' between two vectors is not supported", 3)]
    [InlineData("x + on(a) 1", "vector matching with 'on' is not supported", 5)]
    [InlineData("x / ignoring(a) y", "vector matching with 'ignoring' is not supported", 5)]
    [InlineData("x[5m] * 2", "binary expression must contain only scalar and instant vector types, got range vector", 1)]
    [InlineData("-x[5m]", "unary expression only allowed on expressions of type scalar or instant vector", 1)]
    [InlineData("rate(x)", "expected type range vector in call to function 'rate', got instant vector", 6)]
    [InlineData("rate(x[5m], 2)", "function 'rate' expects 1 argument, got 2", 1)]
    [InlineData("quantile_over_time(x[5m])", "function 'quantile_over_time' expects 2 arguments, got 1", 1)]
    [InlineData("quantile_over_time(x, x[5m])", "expected type scalar in call to function 'quantile_over_time', got instant vector", 20)]
    [InlineData("rate(x[5m]", "expected ',' or ')' in the call to 'rate', found the end of the query", 11)]
    [InlineData("histogram_quantile(0.9, x)", "function 'histogram_quantile' is not supported", 1)]
    [InlineData("label_replace(x, \"a\", \"b\", \"c\", \"d\")", "function 'label_replace' is not supported", 1)]
    [InlineData("frobnicate(x)", "unknown function 'frobnicate'", 1)]
    [InlineData("topk(3, x)", "aggregation 'topk' is not supported", 1)]
    [InlineData("quantile(0.5, x)", "aggregation 'quantile' is not supported", 1)]
    [InlineData("sum(x, y)", "aggregation 'sum' takes one argument", 6)]
    [InlineData("sum(x[5m])", "expected type instant vector in aggregation expression, got range vector", 5)]
    [InlineData("sum(1)", "expected type instant vector in aggregation expression, got scalar", 5)]
    [InlineData("sum by job (x)", "expected '(' after 'by', found 'j'", 8)]
    [InlineData("sum by (job (x)", "expected ',' or ')' in the 'by' clause, found '('", 13)]
    [InlineData("sum by (job) (x) by (a)", "two grouping clauses", 18)]
    [InlineData("sum by (job) x", "expected '(' after the aggregation 'sum', found 'x'", 14)]
    [InlineData("\"text\"", "string literals are not supported", 1)]
    [InlineData("(x", "expected ')' to close the '(' at character 1, found the end of the query", 3)]
    [InlineData("x)", "unexpected ')' after the expression", 2)]
    [InlineData("x y", "unexpected 'y' after the expression", 3)]
    [InlineData("x +", "unexpected end of the query, expected an expression", 4)]
    [InlineData("* x", "unexpected character '*', expected an expression", 1)]
    [InlineData("by", "unexpected keyword 'by'", 1)]
    [InlineData("5m", "durations are only allowed in range selectors", 2)]
    [InlineData("0x", "invalid hexadecimal number '0x'", 1)]
    [InlineData("1.2.3", "invalid number '1.2.3'", 1)]
    public void Parse_Invalid_BadDataNamingTheConstructAndCharacter(string q, string reason, int character)
    {
        var e = Assert.Throws<PromQlException>(() => PromQlParser.Parse(q));
        Assert.Equal(PromQlException.BadData, e.ErrorType);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"parse error at character {character}:", e.Message, StringComparison.Ordinal);
    }
}
