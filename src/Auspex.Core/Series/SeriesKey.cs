namespace Auspex.Core.Series;

/// <summary>Identifies a series: its metric name and its labels (the name is not repeated as a label).</summary>
public readonly record struct SeriesKey
{
    /// <summary>Creates a key; the metric name must be a valid Prometheus metric name.</summary>
    public SeriesKey(string metric, Labels labels)
    {
        if (!IsValidMetricName(metric))
        {
            throw new ArgumentException($"Metric name '{metric}' is invalid: it must match [a-zA-Z_:][a-zA-Z0-9_:]*.", nameof(metric));
        }
        ArgumentNullException.ThrowIfNull(labels);
        Metric = metric;
        Labels = labels.Without("__name__");
    }

    /// <summary>The metric name.</summary>
    public string Metric { get; }

    /// <summary>The labels, without <c>__name__</c>.</summary>
    public Labels Labels { get; }

    /// <summary>True for a valid Prometheus metric name.</summary>
    public static bool IsValidMetricName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' or ':' || (i > 0 && c is >= '0' and <= '9');
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Prometheus form: <c>metric{a="1"}</c>.</summary>
    public override string ToString() => Labels.Count == 0 ? Metric : Metric + Labels;
}
