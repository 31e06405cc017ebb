using Auspex.Scoring.Internal;

namespace Auspex.Scoring;

/// <summary>One unit of exposure for the failure-rate model: a host (or disk, rack…) under a path of groups.</summary>
/// <param name="Unit">Unit id (e.g. host).</param>
/// <param name="Path">The groups it sits in, outermost first (e.g. [zone, rack]); every unit must give the same number of levels.</param>
/// <param name="ExposureHours">Hours observed.</param>
/// <param name="Failures">Failures observed in that time.</param>
public sealed record FailureExposure(string Unit, IReadOnlyList<string> Path, double ExposureHours, double Failures);

/// <summary>
/// Hierarchical gamma–Poisson failure-rate model fitted by empirical Bayes. Every node (group or unit) has a rate
/// λ ~ Gamma(s_k·μ_parent, s_k) whose mean is its parent's posterior mean rate and whose strength s_k (pseudo-exposure
/// in hours) is shared by its level k; s_k is the maximiser of the negative-binomial marginal likelihood of the
/// nodes' counts at that level. A node's posterior is Gamma(s_k·μ_parent + n, s_k + T), so a unit with little history
/// borrows its rack's rate, a rack with little history its zone's, and a unit never seen gets its group's posterior
/// as its prior. Group counts are the sums over their units (the unit's own failures also inform its group: the usual
/// nested empirical-Bayes approximation).
/// </summary>
public sealed class FailureRateModel
{
    private readonly Dictionary<string, GammaRate> _posteriors;
    private readonly double[] _strength;

    private FailureRateModel(double globalRate, double[] strength, Dictionary<string, GammaRate> posteriors, int levels)
    {
        GlobalRatePerHour = globalRate;
        _strength = strength;
        _posteriors = posteriors;
        Levels = levels;
    }

    /// <summary>Pooled failures per unit-hour over everything fitted.</summary>
    public double GlobalRatePerHour { get; }

    /// <summary>Group levels above the unit (e.g. 2 for [zone, rack]).</summary>
    public int Levels { get; }

    /// <summary>Fitted prior strength (pseudo-exposure hours) per level: groups outermost first, units last.</summary>
    public IReadOnlyList<double> PriorStrengthHours => _strength;

    /// <summary>
    /// Fits the model. With no exposure at all the global rate is 0 and every prediction is 0: an expected outcome,
    /// not an error. Units whose path length differs from the first unit's are refused.
    /// </summary>
    public static FailureRateModel Fit(IReadOnlyList<FailureExposure> units)
    {
        ArgumentNullException.ThrowIfNull(units);
        var levels = units.Count == 0 ? 0 : units[0].Path.Count;
        if (units.Any(u => u.Path.Count != levels || !(u.ExposureHours >= 0) || !(u.Failures >= 0)))
        {
            throw new ArgumentException("Every unit needs the same number of group levels, exposure ≥ 0 and failures ≥ 0.", nameof(units));
        }
        var totalT = units.Sum(u => u.ExposureHours);
        var totalN = units.Sum(u => u.Failures);
        // A tiny floor keeps the gamma proper when nothing has failed yet (half a failure over the fleet's exposure).
        var global = totalT > 0 ? Math.Max(totalN, 0.5) / totalT : 0;
        var strength = new double[levels + 1];
        var posteriors = new Dictionary<string, GammaRate>(StringComparer.Ordinal);
        // Parent mean per node key; the root's is the global rate.
        var parentMean = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var k = 0; k <= levels; k++)
        {
            // Nodes at level k: key = path prefix (groups) or the unit, with count and exposure.
            var nodes = new Dictionary<string, (double N, double T, string Parent)>(StringComparer.Ordinal);
            foreach (var u in units)
            {
                var key = k < levels ? Key(u.Path, k + 1) : UnitKey(u);
                var parent = k == 0 ? "" : Key(u.Path, k);
                nodes[key] = nodes.TryGetValue(key, out var c) ? (c.N + u.Failures, c.T + u.ExposureHours, parent) : (u.Failures, u.ExposureHours, parent);
            }
            var data = nodes.Select(n => (n.Value.N, n.Value.T, Mu: n.Value.Parent.Length == 0 ? global : parentMean[n.Value.Parent])).ToList();
            var s = global > 0 ? FitStrength(data) : 1;
            strength[k] = s;
            foreach (var (key, (n, t, parent)) in nodes)
            {
                var mu = parent.Length == 0 ? global : parentMean[parent];
                var post = new GammaRate(Math.Max(s * mu, 1e-12), s).Update(n, t);
                posteriors[key] = post;
                parentMean[key] = post.MeanPerHour;
            }
        }
        return new FailureRateModel(global, strength, posteriors, levels);
    }

    /// <summary>
    /// The posterior rate of a unit. A unit or group not seen in fitting falls back to the prior its level would give
    /// it under the deepest known ancestor (an unknown rack in a known zone gets the zone's rate with the rack level's
    /// strength, and so on).
    /// </summary>
    public GammaRate Posterior(IReadOnlyList<string> path, string unit)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Count == Levels && _posteriors.TryGetValue(UnitKey(new FailureExposure(unit, path, 0, 0)), out var known))
        {
            return known;
        }
        var mean = GlobalRatePerHour;
        var depth = Math.Min(path.Count, Levels);
        var k = 0;
        for (; k < depth; k++)
        {
            if (!_posteriors.TryGetValue(Key(path, k + 1), out var g))
            {
                break;
            }
            mean = g.MeanPerHour;
        }
        // k groups known: the unknown node sits at level k (a group) — for a known full path it is the unit level.
        var s = _strength.Length == 0 ? 1 : _strength[Math.Min(k == depth ? Levels : k, _strength.Length - 1)];
        return new GammaRate(Math.Max(s * mean, 1e-12), s);
    }

    private static string Key(IReadOnlyList<string> path, int depth) => string.Join('\u001f', path.Take(depth));

    private static string UnitKey(FailureExposure u) => Key(u.Path, u.Path.Count) + "\u001e" + u.Unit;

    /// <summary>
    /// Maximises Σ log NegBin(nᵢ | a = s·μᵢ, p = s / (s + Tᵢ)) over log s by golden-section search on [1e-3, 1e12] hours.
    /// </summary>
    internal static double FitStrength(IReadOnlyList<(double N, double T, double Mu)> data)
    {
        double LogLik(double logS)
        {
            var s = Math.Exp(logS);
            var sum = 0.0;
            // Runs of identical units (typically many with no failure over the same exposure) reuse the term: the same
            // additions in the same order, without recomputing three log-gammas per unit.
            (double N, double T, double Mu) previous = (double.NaN, double.NaN, double.NaN);
            var term = 0.0;
            foreach (var (n, t, mu) in data)
            {
                if (!(n == previous.N && t == previous.T && mu == previous.Mu))
                {
                    term = LogNegBin(n, s * Math.Max(mu, 1e-15), s, t);
                    previous = (n, t, mu);
                }
                sum += term;
            }
            return sum;
        }
        double lo = Math.Log(1e-3), hi = Math.Log(1e12);
        var g = (Math.Sqrt(5) - 1) / 2;
        var x1 = hi - g * (hi - lo);
        var x2 = lo + g * (hi - lo);
        double f1 = LogLik(x1), f2 = LogLik(x2);
        for (var it = 0; it < 80 && hi - lo > 1e-4; it++)
        {
            if (f1 < f2)
            {
                lo = x1;
                x1 = x2;
                f1 = f2;
                x2 = lo + g * (hi - lo);
                f2 = LogLik(x2);
            }
            else
            {
                hi = x2;
                x2 = x1;
                f2 = f1;
                x1 = hi - g * (hi - lo);
                f1 = LogLik(x1);
            }
        }
        return Math.Exp((lo + hi) / 2);
    }

    /// <summary>log P(n) for a gamma(a, b)–Poisson mixture over exposure t: the negative binomial.</summary>
    internal static double LogNegBin(double n, double a, double b, double t)
    {
        if (t <= 0)
        {
            return 0;
        }
        return SpecialFunctions.LogGamma(a + n) - SpecialFunctions.LogGamma(a) - SpecialFunctions.LogGamma(n + 1)
            + a * Math.Log(b / (b + t)) + n * Math.Log(t / (b + t));
    }
}
