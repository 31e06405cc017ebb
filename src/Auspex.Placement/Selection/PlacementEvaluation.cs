using System.Globalization;
using Auspex.Placement.Scores;

namespace Auspex.Placement.Selection;

/// <summary>
/// Every candidate host filtered and scored for one request: the feasible ones with their totals (0–100), the
/// rejected ones with reasons, and per-plugin explanations on demand.
/// </summary>
public sealed class PlacementEvaluation
{
    private readonly RequestContext _ctx;
    private readonly IScorePlugin[] _plugins;
    private readonly double[] _weights;
    private readonly double[][] _raw;
    private readonly double[][] _norm;
    private readonly int[] _feasible;
    private readonly double[] _total;
    private Dictionary<string, int>? _positions;

    private readonly List<Rejection> _early;
    private readonly List<(int Host, Filters.IFilterPlugin Filter)> _lazy;
    private IReadOnlyList<Rejection>? _rejections;

    internal PlacementEvaluation(RequestContext ctx, IScorePlugin[] plugins, double[] weights, double[][] raw, double[][] norm, int[] feasible, double[] total,
        List<Rejection> rejections, List<(int Host, Filters.IFilterPlugin Filter)> lazy, int examined)
    {
        _ctx = ctx;
        _plugins = plugins;
        _weights = weights;
        _raw = raw;
        _norm = norm;
        _feasible = feasible;
        _total = total;
        _early = rejections;
        _lazy = lazy;
        Examined = examined;
    }

    /// <summary>How many candidate hosts were filtered (fewer than all when a decision samples, see <see cref="PlacementOptions.PercentageOfHostsToScore"/>).</summary>
    public int Examined { get; }

    /// <summary>How many hosts a filter ruled out (cheap: no reasons built).</summary>
    public int RejectedCount => _early.Count + _lazy.Count;

    /// <summary>The request evaluated.</summary>
    public PlacementRequest Request => _ctx.Request;

    /// <summary>The snapshot's time.</summary>
    public DateTimeOffset At => _ctx.S.At;

    /// <summary>Number of hosts that passed every filter.</summary>
    public int FeasibleCount => _feasible.Length;

    /// <summary>Hosts a filter ruled out, with reasons, in candidate order (the reasons are built on first access).</summary>
    public IReadOnlyList<Rejection> Rejections => _rejections ??= BuildRejections();

    private List<Rejection> BuildRejections()
    {
        var list = new List<Rejection>(_early.Count + _lazy.Count);
        list.AddRange(_early);
        foreach (var (h, f) in _lazy)
        {
            list.Add(new Rejection(_ctx.S.HostIds[h], f.Name, f.Filter(_ctx, h) ?? "ruled out when evaluated (the request's state has changed since)"));
        }
        return list;
    }

    /// <summary>The score plugins that took part, with their weights.</summary>
    public IReadOnlyList<(string Plugin, double Weight)> Plugins => _plugins.Select((p, i) => (p.Name, _weights[i])).ToArray();

    /// <summary>The id of feasible host <paramref name="i"/> (0 ≤ i &lt; <see cref="FeasibleCount"/>).</summary>
    public string Host(int i) => _ctx.S.HostIds[_feasible[i]];

    /// <summary>The weighted total (0–100) of feasible host <paramref name="i"/>.</summary>
    public double Total(int i) => _total[i];

    /// <summary>The feasible hosts and their totals, in candidate order.</summary>
    public IReadOnlyList<CandidateScore> Candidates()
    {
        var list = new CandidateScore[_feasible.Length];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = new CandidateScore(Host(i), _total[i]);
        }
        return list;
    }

    /// <summary>The position of <paramref name="host"/> among the feasible hosts, or -1.</summary>
    public int IndexOf(string host)
    {
        _positions ??= Enumerable.Range(0, _feasible.Length).ToDictionary(Host, i => i, StringComparer.Ordinal);
        return _positions.GetValueOrDefault(host, -1);
    }

    /// <summary>Each plugin's contribution for feasible host <paramref name="i"/>.</summary>
    public IReadOnlyList<PluginScore> Explain(int i)
    {
        var h = _feasible[i];
        var parts = new PluginScore[_plugins.Length];
        for (var p = 0; p < _plugins.Length; p++)
        {
            parts[p] = new PluginScore(_plugins[p].Name, _raw[p][i], _norm[p][i], _weights[p], _plugins[p].Explain(_ctx, h, _raw[p][i]));
        }
        return parts;
    }

    /// <summary>One line per filter that ruled hosts out: how many, with the first example.</summary>
    public IReadOnlyList<string> RejectionSummary() =>
        Rejections.GroupBy(r => r.Plugin, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key}: {g.Count()} host(s), e.g. {g.First().Host}: {g.First().Reason}"))
            .ToArray();
}
