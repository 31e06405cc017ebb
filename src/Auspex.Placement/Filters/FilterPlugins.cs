using System.Globalization;
using System.Text;
using Auspex.Core.Resources;
using Auspex.Placement.Selection;

namespace Auspex.Placement.Filters;

/// <summary>A hard constraint: returns null when the host passes, else the reason it does not.</summary>
internal interface IFilterPlugin
{
    string Name { get; }

    string? Filter(RequestContext ctx, int h);

    /// <summary>The fast path of <see cref="Filter"/>: true when the host passes; builds no reason.</summary>
    bool Passes(RequestContext ctx, int h) => Filter(ctx, h) is null;
}

/// <summary>Policy overrides: a forced locality admits only hosts inside it; a forbidden one admits none.</summary>
internal sealed class OverrideFilter : IFilterPlugin
{
    public string Name => "Override";

    public string? Filter(RequestContext ctx, int h)
    {
        if (ctx.Forbidden is { } forbid && ctx.InAny(forbid, h))
        {
            var o = ctx.S.Topology.Policy.Overrides.First(o => o.Mode == Core.Topology.OverrideMode.Forbid && ctx.S.LocalityIndex.TryGetValue(o.Locality, out var i) && forbid.Contains(i) && ctx.InAny([i], h));
            return $"forbidden by policy override on {o.Locality}: {o.Reason}";
        }
        if (ctx.Forced is { } force && !ctx.InAny(force, h))
        {
            var names = string.Join(", ", force.Select(i => ctx.S.LocalityIds[i]).Order(StringComparer.Ordinal));
            return $"policy forces {ctx.Request.Service} onto {names}";
        }
        return null;
    }
}

/// <summary>Tier eligibility: the host's tier must be one the request allows.</summary>
internal sealed class TierFilter : IFilterPlugin
{
    public string Name => "Tier";

    public string? Filter(RequestContext ctx, int h)
    {
        var tiers = ctx.Request.Tiers;
        if (tiers.Count == 0)
        {
            return null;
        }
        var tier = ctx.S.Hosts[h].Tier;
        for (var i = 0; i < tiers.Count; i++)
        {
            if (string.Equals(tiers[i], tier, StringComparison.Ordinal))
            {
                return null;
            }
        }
        return $"tier {tier ?? "(none)"} is not one of {string.Join(", ", tiers)}";
    }
}

/// <summary>Maintenance: the host (or an enclosing locality) must have no planned window during the lifetime.</summary>
internal sealed class MaintenanceFilter : IFilterPlugin
{
    public string Name => "Maintenance";

    public string? Filter(RequestContext ctx, int h)
    {
        foreach (var m in ctx.S.Maintenance[h])
        {
            if (m.When.Overlaps(ctx.Request.Lifetime))
            {
                return string.Create(CultureInfo.InvariantCulture, $"maintenance of {m.Locality} {m.When.Start:yyyy-MM-ddTHH:mmZ}–{m.When.End:yyyy-MM-ddTHH:mmZ} ({m.Reason}) overlaps the lifetime");
            }
        }
        return null;
    }
}

/// <summary>Resource fit: for each requested resource, max(placed requests, predicted peak at the quantile over the lifetime) + request ≤ capacity.</summary>
internal sealed class FitFilter : IFilterPlugin
{
    public string Name => "Fit";

    public bool Passes(RequestContext ctx, int h)
    {
        var cap = ctx.S.Capacity;
        foreach (var r in ctx.NeedKinds)
        {
            if (ctx.Used(h, r) + ctx.Need[r] > cap[h * PlacementSnapshot.R + r])
            {
                return false;
            }
        }
        return true;
    }

    public string? Filter(RequestContext ctx, int h)
    {
        foreach (var r in ctx.NeedKinds)
        {
            var cap = ctx.S.Capacity[h * PlacementSnapshot.R + r];
            var used = ctx.Used(h, r);
            if (used + ctx.Need[r] > cap)
            {
                var a = ctx.Allocated(h, r);
                var p = ctx.Predicted(h, r);
                var basis = double.IsNaN(p) || a >= p
                    ? $"placed requests {ctx.Format(r, a)}"
                    : $"predicted {ctx.QuantileLabel} peak {ctx.Format(r, p)} over the lifetime";
                return $"insufficient {((ResourceKind)r).Key()}: {basis} + request {ctx.Format(r, ctx.Need[r])} > capacity {ctx.Format(r, cap)}";
            }
        }
        return null;
    }
}

/// <summary>Required affinity (a matching replica in the same locality) and anti-affinity (none).</summary>
internal sealed class AffinityFilter : IFilterPlugin
{
    public string Name => "Affinity";

    public string? Filter(RequestContext ctx, int h)
    {
        var terms = ctx.Request.Affinity;
        for (var i = 0; i < terms.Count; i++)
        {
            var t = terms[i];
            if (!t.Required)
            {
                continue;
            }
            var d = ctx.S.Domain[(int)t.Scope][h];
            var n = d < 0 ? 0 : ctx.AffinityCounts[i].GetValueOrDefault(d);
            var where = d < 0 ? "(none)" : ctx.S.LocalityIds[d];
            if (t.Anti && n > 0)
            {
                return $"anti-affinity: {where} already runs {n} replica(s) of {t.Selector}";
            }
            if (!t.Anti && n == 0)
            {
                return $"affinity: {where} runs no replica of {t.Selector}";
            }
        }
        return null;
    }
}

/// <summary>Spread across failure domains: placing here must keep the skew within each constraint's maximum.</summary>
internal sealed class SpreadFilter : IFilterPlugin
{
    public string Name => "Spread";

    public string? Filter(RequestContext ctx, int h)
    {
        var cs = ctx.Request.Spread;
        for (var i = 0; i < cs.Count; i++)
        {
            var d = ctx.S.Domain[(int)cs[i].Domain][h];
            var n = ctx.SpreadCounts[i].GetValueOrDefault(d);
            if (n + 1 - ctx.SpreadMin[i] > cs[i].MaxSkew)
            {
                var sb = new StringBuilder();
                sb.Append(CultureInfo.InvariantCulture, $"spread over {cs[i].Domain.ToString().ToLowerInvariant()}s: {(d < 0 ? "(none)" : ctx.S.LocalityIds[d])} would hold {n + 1} replica(s) of {ctx.Request.Component}, the emptiest {ctx.SpreadMin[i]}, max skew {cs[i].MaxSkew}");
                return sb.ToString();
            }
        }
        return null;
    }
}
