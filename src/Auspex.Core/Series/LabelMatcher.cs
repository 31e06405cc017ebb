using System.Text.RegularExpressions;

namespace Auspex.Core.Series;

/// <summary>How a <see cref="LabelMatcher"/> compares.</summary>
public enum LabelMatchType
{
    /// <summary><c>=</c></summary>
    Equal,
    /// <summary><c>!=</c></summary>
    NotEqual,
    /// <summary><c>=~</c>, fully anchored</summary>
    Regex,
    /// <summary><c>!~</c>, fully anchored</summary>
    NotRegex,
}

/// <summary>A Prometheus label matcher. The name <c>__name__</c> matches the metric name.</summary>
public sealed class LabelMatcher
{
    private readonly Regex? _regex;

    /// <summary>Creates a matcher; a regex is anchored at both ends as in PromQL.</summary>
    public LabelMatcher(string name, LabelMatchType type, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        Type = type;
        Value = value;
        if (type is LabelMatchType.Regex or LabelMatchType.NotRegex)
        {
            try
            {
                _regex = new Regex("^(?:" + value + ")$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Matcher {name}{Op} has an invalid regular expression '{value}': {e.Message}", e);
            }
        }
    }

    /// <summary>Label name.</summary>
    public string Name { get; }

    /// <summary>Comparison.</summary>
    public LabelMatchType Type { get; }

    /// <summary>Value or pattern.</summary>
    public string Value { get; }

    private string Op => Type switch { LabelMatchType.Equal => "=", LabelMatchType.NotEqual => "!=", LabelMatchType.Regex => "=~", _ => "!~" };

    /// <summary>Equality matcher shorthand.</summary>
    public static LabelMatcher Eq(string name, string value) => new(name, LabelMatchType.Equal, value);

    /// <summary>True when the key satisfies this matcher (a missing label is the empty string).</summary>
    public bool Matches(SeriesKey key)
    {
        var actual = Name == "__name__" ? key.Metric : key.Labels[Name] ?? "";
        return Type switch
        {
            LabelMatchType.Equal => actual == Value,
            LabelMatchType.NotEqual => actual != Value,
            LabelMatchType.Regex => _regex!.IsMatch(actual),
            _ => !_regex!.IsMatch(actual),
        };
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}{Op}\"{Value}\"";
}
