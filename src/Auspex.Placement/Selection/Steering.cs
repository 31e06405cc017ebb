namespace Auspex.Placement.Selection;

/// <summary>The seeded steering function: from totals to one choice, biased to high scores without always taking the top.</summary>
internal static class Steering
{
    public static (int Index, double Probability) Choose(PlacementEvaluation e, PlacementOptions o, Random rng)
    {
        var n = e.FeasibleCount;
        var best = 0;
        for (var i = 1; i < n; i++)
        {
            if (e.Total(i) > e.Total(best) || (e.Total(i) == e.Total(best) && string.CompareOrdinal(e.Host(i), e.Host(best)) < 0))
            {
                best = i;
            }
        }
        switch (o.Steering)
        {
            case SteeringMode.Greedy:
                return (best, 1);
            case SteeringMode.PowerOfChoices:
            {
                var pick = rng.Next(n);
                for (var k = 1; k < o.Choices; k++)
                {
                    var c = rng.Next(n);
                    if (e.Total(c) > e.Total(pick))
                    {
                        pick = c;
                    }
                }
                return (pick, double.NaN);
            }
            default:
            {
                var top = e.Total(best);
                var sum = 0.0;
                for (var i = 0; i < n; i++)
                {
                    sum += Math.Exp((e.Total(i) - top) / o.Temperature);
                }
                var u = rng.NextDouble() * sum;
                var acc = 0.0;
                for (var i = 0; i < n; i++)
                {
                    var w = Math.Exp((e.Total(i) - top) / o.Temperature);
                    acc += w;
                    if (u < acc)
                    {
                        return (i, w / sum);
                    }
                }
                return (best, Math.Exp(0) / sum);
            }
        }
    }
}
