using Auspex.Placement.Scores;
using FsCheck;
using FsCheck.Xunit;

namespace Auspex.Placement.Tests;

public sealed class ScoreNormalizerTests
{
    private static double[] Clean(double[] xs) => xs.Select(x => double.IsFinite(x) ? Math.Clamp(x, -1e12, 1e12) : 0).ToArray();

    [Property]
    public bool RelativeToMax_StaysInRange(double[] xs, bool reverse)
    {
        var v = Clean(xs);
        ScoreNormalizer.RelativeToMax(v, reverse);
        return v.All(x => x is >= 0 and <= 100);
    }

    [Property]
    public bool RelativeToMax_PreservesOrderOfNonNegativeValues(NonNegativeInt[] raw)
    {
        var xs = raw.Select(r => (double)r.Get).ToArray();
        var v = (double[])xs.Clone();
        ScoreNormalizer.RelativeToMax(v, false);
        for (var i = 0; i < xs.Length; i++)
        {
            for (var j = 0; j < xs.Length; j++)
            {
                if (xs[i] < xs[j] && !(v[i] <= v[j]))
                {
                    return false;
                }
            }
        }
        return true;
    }

    [Property]
    public bool RelativeToMax_TheMaximumScoresHundredAndReverseFlips(PositiveInt[] raw)
    {
        if (raw.Length == 0)
        {
            return true;
        }
        var xs = raw.Select(r => (double)r.Get).ToArray();
        var fwd = (double[])xs.Clone();
        var rev = (double[])xs.Clone();
        ScoreNormalizer.RelativeToMax(fwd, false);
        ScoreNormalizer.RelativeToMax(rev, true);
        return Math.Abs(fwd.Max() - 100) < 1e-9 && fwd.Zip(rev).All(p => Math.Abs(p.First + p.Second - 100) < 1e-9);
    }

    [Property]
    public bool RelativeToMax_IsScaleInvariant(PositiveInt[] raw, PositiveInt factor)
    {
        var xs = raw.Select(r => (double)r.Get).ToArray();
        var a = (double[])xs.Clone();
        var b = xs.Select(x => x * factor.Get).ToArray();
        ScoreNormalizer.RelativeToMax(a, false);
        ScoreNormalizer.RelativeToMax(b, false);
        return a.Zip(b).All(p => Math.Abs(p.First - p.Second) < 1e-6);
    }

    [Property]
    public bool MinMax_StaysInRangeAndHitsBothEndsWhenValuesDiffer(int[] raw)
    {
        var v = raw.Select(x => (double)x).ToArray();
        ScoreNormalizer.MinMax(v);
        if (!v.All(x => x is >= 0 and <= 100))
        {
            return false;
        }
        return raw.Distinct().Count() < 2 ? v.All(x => x == 0) : Math.Abs(v.Max() - 100) < 1e-9 && v.Min() == 0;
    }

    [Property]
    public bool Fixed_IsClampedAndMonotone(double a, double b)
    {
        a = double.IsFinite(a) ? a : 0;
        b = double.IsFinite(b) ? b : 0;
        var sa = ScoreNormalizer.Fixed(a, 0, 1);
        var sb = ScoreNormalizer.Fixed(b, 0, 1);
        return sa is >= 0 and <= 100 && sb is >= 0 and <= 100 && (a > b ? sa >= sb : sa <= sb);
    }

    [Fact]
    public void RelativeToMax_AllZeroGivesZeroOrHundredReversed()
    {
        double[] a = [0, 0], b = [0, 0];
        ScoreNormalizer.RelativeToMax(a, false);
        ScoreNormalizer.RelativeToMax(b, true);
        Assert.Equal([0.0, 0.0], a);
        Assert.Equal([100.0, 100.0], b);
    }
}
