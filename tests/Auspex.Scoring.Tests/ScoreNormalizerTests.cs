using FsCheck;
using FsCheck.Xunit;

namespace Auspex.Scoring.Tests;

public sealed class ScoreNormalizerTests
{
    private static bool In01(double v) => v is >= 0 and <= 1;

    [Property]
    public bool Clamp01_AlwaysInRange(double v) => In01(ScoreNormalizer.Clamp01(v));

    [Property]
    public bool Linear_AlwaysInRange(double v, double worst, double best) => In01(ScoreNormalizer.Linear(v, worst, best));

    [Property]
    public bool Linear_MonotoneTowardsBest(NormalFloat a, NormalFloat b, NormalFloat worst, NormalFloat best)
    {
        var (lo, hi) = a.Get <= b.Get ? (a.Get, b.Get) : (b.Get, a.Get);
        var sLo = ScoreNormalizer.Linear(lo, worst.Get, best.Get);
        var sHi = ScoreNormalizer.Linear(hi, worst.Get, best.Get);
        // Moving towards best never lowers the score.
        return (best.Get >= worst.Get ? sHi >= sLo : sLo >= sHi);
    }

    [Property]
    public bool Invert_IsOneMinusClampedProbability(double p) =>
        In01(ScoreNormalizer.Invert(p)) && (double.IsNaN(p) || Math.Abs(ScoreNormalizer.Invert(p) + ScoreNormalizer.Clamp01(p) - 1) < 1e-12);

    [Property]
    public bool Decay_InRangeAndNonIncreasing(NormalFloat a, NormalFloat b, PositiveInt reference)
    {
        var (lo, hi) = Math.Abs(a.Get) <= Math.Abs(b.Get) ? (Math.Abs(a.Get), Math.Abs(b.Get)) : (Math.Abs(b.Get), Math.Abs(a.Get));
        var sLo = ScoreNormalizer.Decay(lo, reference.Get);
        var sHi = ScoreNormalizer.Decay(hi, reference.Get);
        return (In01(sLo) && In01(sHi) && sHi <= sLo);
    }

    [Property]
    public bool WeightedMean_LiesBetweenMinAndMaxPart(NonEmptyArray<Tuple<NormalFloat, NormalFloat>> parts)
    {
        var ps = parts.Get.Select(t => (ScoreNormalizer.Clamp01(t.Item1.Get), Math.Abs(t.Item2.Get))).ToList();
        var m = ScoreNormalizer.WeightedMean(ps);
        return (m >= ps.Min(p => p.Item1) - 1e-12 && m <= ps.Max(p => p.Item1) + 1e-12);
    }

    [Property]
    public bool MinMaxCost_CheaperNeverScoresLower(NonEmptyArray<NormalFloat> costs)
    {
        var c = costs.Get.Select(x => x.Get).ToList();
        var s = ScoreNormalizer.MinMaxCost(c);
        var ok = true;
        for (var i = 0; i < c.Count; i++)
        {
            for (var j = 0; j < c.Count; j++)
            {
                ok &= !(c[i] < c[j]) || s[i] >= s[j];
            }
        }
        return (ok && s.All(In01));
    }

    [Theory]
    [InlineData(5, 0, 10, 0.5)]
    [InlineData(2.5, 10, 0, 0.75)] // a cost: 10 is worst
    [InlineData(-1, 0, 10, 0)]
    [InlineData(11, 0, 10, 1)]
    [InlineData(double.NaN, 0, 10, 0)]
    public void Linear_KnownValues(double v, double worst, double best, double expected) =>
        Assert.Equal(expected, ScoreNormalizer.Linear(v, worst, best), 12);

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 1, 0.5)]
    [InlineData(3, 1, 0.25)]
    [InlineData(double.NaN, 1, 0)]
    public void Decay_KnownValues(double cost, double reference, double expected) =>
        Assert.Equal(expected, ScoreNormalizer.Decay(cost, reference), 12);

    [Fact]
    public void MinMaxCost_KnownValues()
    {
        Assert.Equal([1, 0.5, 0], ScoreNormalizer.MinMaxCost([1, 2, 3]));
        Assert.Equal([1, 1], ScoreNormalizer.MinMaxCost([4, 4]));
        Assert.Equal([1, 0], ScoreNormalizer.MinMaxCost([1, double.NaN]));
    }

    [Fact]
    public void WeightedMean_AllZeroWeights_IsPlainMean() =>
        Assert.Equal(0.5, ScoreNormalizer.WeightedMean([(1, 0), (0, 0)]), 12);
}
