using Auspex.Core.Series;

namespace Auspex.Storage.PromQl;

/// <summary>The type a PromQL expression evaluates to.</summary>
public enum PromValueType
{
    /// <summary>A number.</summary>
    Scalar,
    /// <summary>One sample per series at the evaluation time.</summary>
    Vector,
    /// <summary>A window of samples per series (only as a function argument, or a whole instant query).</summary>
    Matrix,
}

/// <summary>A node of a parsed PromQL expression; <see cref="Position"/> is the 0-based character offset in the query.</summary>
public abstract record PromExpr(int Position)
{
    /// <summary>What the node evaluates to.</summary>
    public abstract PromValueType Type { get; }
}

/// <summary>A number literal.</summary>
public sealed record NumberLiteral(double Value, int Position) : PromExpr(Position)
{
    /// <inheritdoc />
    public override PromValueType Type => PromValueType.Scalar;
}

/// <summary>An instant vector selector: <c>metric{label="v"}</c> (the name, when given, is a <c>__name__</c> matcher).</summary>
public sealed record VectorSelector(IReadOnlyList<LabelMatcher> Matchers, int Position) : PromExpr(Position)
{
    /// <inheritdoc />
    public override PromValueType Type => PromValueType.Vector;
}

/// <summary>A range selector: <c>metric{…}[5m]</c>.</summary>
public sealed record MatrixSelector(VectorSelector Selector, TimeSpan Range, int Position) : PromExpr(Position)
{
    /// <inheritdoc />
    public override PromValueType Type => PromValueType.Matrix;
}

/// <summary>A function call such as <c>rate(x[5m])</c>.</summary>
public sealed record FunctionCall(string Name, IReadOnlyList<PromExpr> Args, int Position) : PromExpr(Position)
{
    /// <inheritdoc />
    public override PromValueType Type => PromValueType.Vector;
}

/// <summary>An aggregation: <c>sum by (a) (x)</c>, <c>avg without (b) (x)</c>.</summary>
public sealed record Aggregation(string Op, PromExpr Expr, IReadOnlyList<string> Grouping, bool Without, int Position) : PromExpr(Position)
{
    /// <inheritdoc />
    public override PromValueType Type => PromValueType.Vector;
}

/// <summary>Arithmetic between scalars, or between a vector and a scalar: <c>+ - * / % ^</c>.</summary>
public sealed record BinaryExpr(char Op, PromExpr Left, PromExpr Right, int Position) : PromExpr(Position)
{
    /// <inheritdoc />
    public override PromValueType Type =>
        Left.Type == PromValueType.Scalar && Right.Type == PromValueType.Scalar ? PromValueType.Scalar : PromValueType.Vector;
}

/// <summary>Unary minus.</summary>
public sealed record NegateExpr(PromExpr Expr, int Position) : PromExpr(Position)
{
    /// <inheritdoc />
    public override PromValueType Type => Expr.Type;
}
