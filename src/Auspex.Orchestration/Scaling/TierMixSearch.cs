namespace Auspex.Orchestration.Scaling;

/// <summary>
/// The cheapest units to add to an existing allocation so that, after preemptions, capacity covers a demand with the
/// required probability. Searches every single tier and every ordered pair of tiers (the first filled partly, the
/// second completing it, with a two-pointer sweep), so the mix can combine, say, reliable standard units with
/// cheaper spot units on another provider. Mixes of three or more new tiers are not searched.
/// </summary>
internal static class TierMixSearch
{
    /// <summary>The best additions (per slot), or null when nothing within headroom and <paramref name="maxTotal"/> reaches the probability.</summary>
    public static int[]? Cheapest(TierSlot[] slots, int[] existing, double demand, double availability, int maxTotal, double breachCost)
    {
        var n = slots.Length;
        var units = (int[])existing.Clone();
        if (CoverModel.Probability(slots, units, demand) >= availability)
        {
            return new int[n];
        }
        var existingTotal = existing.Sum();
        var existingSure = 0.0;
        for (var i = 0; i < n; i++)
        {
            existingSure += slots[i].Capacity * existing[i];
        }
        int[]? best = null;
        var bestCost = double.PositiveInfinity;
        var single = new int?[n];

        bool Feasible(int[] add)
        {
            var total = existingTotal;
            for (var i = 0; i < n; i++)
            {
                units[i] = existing[i] + add[i];
                total += add[i];
            }
            return total <= maxTotal && CoverModel.Probability(slots, units, demand) >= availability;
        }

        void Consider(int[] add)
        {
            double cost = 0;
            for (var i = 0; i < n; i++)
            {
                cost += add[i] * slots[i].ExpectedCost;
                units[i] = existing[i] + add[i];
            }
            if (breachCost > 0)
            {
                cost += (1 - CoverModel.Probability(slots, units, demand)) * breachCost;
            }
            if (cost < bestCost - 1e-12)
            {
                bestCost = cost;
                best = (int[])add.Clone();
            }
        }

        var add = new int[n];
        for (var t = 0; t < n; t++)
        {
            if (!slots[t].Allowed || slots[t].Headroom == 0)
            {
                continue;
            }
            Array.Clear(add);
            var low = Math.Max(1, (int)Math.Floor((demand - existingSure) / slots[t].Capacity));
            for (var a = Math.Min(low, slots[t].Headroom); a <= slots[t].Headroom; a++)
            {
                add[t] = a;
                if (Feasible(add))
                {
                    single[t] = a;
                    Consider(add);
                    break;
                }
            }
        }
        for (var t = 0; t < n; t++)
        {
            for (var u = 0; u < n; u++)
            {
                if (t == u || !slots[t].Allowed || !slots[u].Allowed || slots[t].Headroom == 0 || slots[u].Headroom == 0)
                {
                    continue;
                }
                var maxT = single[t] is { } st ? st - 1 : slots[t].Headroom;
                var au = single[u] ?? slots[u].Headroom;
                Array.Clear(add);
                for (var at = 1; at <= maxT; at++)
                {
                    add[t] = at;
                    add[u] = au;
                    if (!Feasible(add))
                    {
                        continue;
                    }
                    while (au > 0)
                    {
                        add[u] = au - 1;
                        if (!Feasible(add))
                        {
                            break;
                        }
                        au--;
                    }
                    add[u] = au;
                    Consider(add);
                }
            }
        }
        return best;
    }

    /// <summary>
    /// Best effort when no mix reaches the probability, or when a budget caps the price: add, one at a time, the unit
    /// with the lowest expected cost per unit of capacity whose price still fits <paramref name="allowance"/>, until
    /// the probability is reached or nothing fits.
    /// </summary>
    public static int[] Greedy(TierSlot[] slots, int[] existing, double demand, double availability, int maxTotal, double allowance)
    {
        var n = slots.Length;
        var add = new int[n];
        var units = (int[])existing.Clone();
        var total = existing.Sum();
        var spent = 0.0;
        var order = Enumerable.Range(0, n).Where(i => slots[i].Allowed).OrderBy(i => slots[i].CostPerCapacity).ThenBy(i => slots[i].Key, StringComparer.Ordinal).ToArray();
        while (total < maxTotal && CoverModel.Probability(slots, units, demand) < availability)
        {
            var pick = -1;
            foreach (var i in order)
            {
                if (add[i] < slots[i].Headroom && spent + slots[i].Price <= allowance + 1e-9)
                {
                    pick = i;
                    break;
                }
            }
            if (pick < 0)
            {
                break;
            }
            add[pick]++;
            units[pick]++;
            total++;
            spent += slots[pick].Price;
        }
        return add;
    }
}
