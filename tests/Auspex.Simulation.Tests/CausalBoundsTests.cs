using Auspex.Simulation.Measures;

namespace Auspex.Simulation.Tests;

/// <summary>
/// Session 10: the idealised causal bounds with the time of day (<see cref="CausalBounds"/>), on small hand-computed
/// series (h = 1; 4 intervals per day where a day matters).
/// </summary>
public sealed class CausalBoundsTests
{
    private static bool[] None(int n) => new bool[n];

    [Fact]
    public void Quantile_is_the_ceil_p_n_th_smallest()
    {
        double[] xs = [1, 2, 3, 4];
        Assert.Equal(2, CausalBounds.Quantile(xs, 0.5));   // ⌈2⌉ = 2nd
        Assert.Equal(4, CausalBounds.Quantile(xs, 0.9));   // ⌈3.6⌉ = 4th
        Assert.Equal(1, CausalBounds.Quantile(xs, 0.01));  // ⌈0.04⌉ = 1st
        Assert.True(double.IsNaN(CausalBounds.Quantile([], 0.5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => CausalBounds.Quantile(xs, 0));
    }

    [Fact]
    public void Seen_base_is_the_load_h_back_and_nan_without_it()
    {
        var b = CausalBounds.SeenBase([2, 4, 0, 8], [false, false, false, false], 1);
        Assert.True(double.IsNaN(b[0]));      // nothing seen yet
        Assert.Equal(2, b[1]);
        Assert.Equal(4, b[2]);
        Assert.True(double.IsNaN(b[3]));      // the seen load is 0: no ratio
        var m = CausalBounds.SeenBase([2, 4, 6], [false, true, false], 1);
        Assert.True(double.IsNaN(m[1]) && double.IsNaN(m[2]));   // t or t − h missing
    }

    [Fact]
    public void Profile_ratio_base_scales_the_seen_load_by_earlier_days_same_step()
    {
        // Two days of 4 intervals: day 0 = 10, 10, 20, 10; day 1 = 10, 10, 30, 10.
        double[] r = [10, 10, 20, 10, 10, 10, 30, 10];
        var b = CausalBounds.ProfileRatioBase(r, None(8), 1, 4);
        Assert.Equal(10, b[2]);     // day 0: no earlier day, the seen load
        Assert.Equal(10, b[4]);     // day 1 phase 0: the day-0 pair would need index −1, so the seen load
        Assert.Equal(10, b[5]);     // 10 × r[1] / r[0] = 10 × 10/10
        Assert.Equal(20, b[6]);     // 10 × r[2] / r[1] = 10 × 20/10: the recurring jump anticipated
        Assert.Equal(15, b[7]);     // 30 × r[3] / r[2] = 30 × 10/20
        Assert.Throws<ArgumentOutOfRangeException>(() => CausalBounds.ProfileRatioBase(r, None(8), 2, 1));
    }

    [Fact]
    public void Predict_expanding_uses_only_ratios_seen_by_t_minus_h()
    {
        double[] r = [10, 20, 20, 40, 40];
        var b = CausalBounds.SeenBase(r, None(5), 1);     // NaN, 10, 20, 20, 40; ratios −, 2, 1, 2, 1
        Assert.Equal([40, 80], CausalBounds.Predict(r, None(5), b, 1, 1.0, 3, 5));     // {2, 1} → 2; {2, 1, 2} → 2
        Assert.Equal([20, 80], CausalBounds.Predict(r, None(5), b, 1, 0.5, 3, 5));     // {1, 2} → 1; {1, 2, 2} → 2
        // Fixed learning on intervals 0..2 (ratios 2 and 1) for every t: median 1, so 20 and 40; the ratio 2 of
        // interval 3 is not learned at t = 4.
        Assert.Equal([20, 40], CausalBounds.Predict(r, None(5), b, 1, 0.5, 3, 5, learnFrom: 0, learnUntil: 3));
        Assert.Equal([40, 80], CausalBounds.Predict(r, None(5), b, 1, 1.0, 3, 5, learnFrom: 0, learnUntil: 3));
    }

    [Fact]
    public void Predict_by_phase_anticipates_a_jump_that_recurs_at_the_same_time_of_day()
    {
        // Three days of 4 intervals: 10, 10, 20, 10 each day; the jump ×2 always at phase 2.
        double[] r = [10, 10, 20, 10, 10, 10, 20, 10, 10, 10, 20, 10];
        var b = CausalBounds.SeenBase(r, None(12), 1);
        // Global median of the ratios seen by t − h = 9 (i = 1..9: 1, 2, 0.5, 1, 1, 2, 0.5, 1, 1) is 1: 10, under the need.
        Assert.Equal([10], CausalBounds.Predict(r, None(12), b, 1, 0.5, 10, 11));
        // Phase 2 exactly (i = 2, 6): {2, 2} → 2: 20, the need.
        Assert.Equal([20], CausalBounds.Predict(r, None(12), b, 1, 0.5, 10, 11, perDay: 4, phaseWindow: 0));
        // Fewer than 3 samples at the phase: all of them, as the global one.
        Assert.Equal([10], CausalBounds.Predict(r, None(12), b, 1, 0.5, 10, 11, perDay: 4, phaseWindow: 0, minSamples: 3));
        // ± 1 interval: i = 1, 2, 3, 5, 6, 7, 9 (not 10, 11: after t − h) → 1, 2, 0.5, 1, 2, 0.5, 1; median (4th) 1, max 2.
        Assert.Equal([10], CausalBounds.Predict(r, None(12), b, 1, 0.5, 10, 11, perDay: 4, phaseWindow: 1));
        Assert.Equal([20], CausalBounds.Predict(r, None(12), b, 1, 1.0, 10, 11, perDay: 4, phaseWindow: 1));
        // The seasonal-ratio base gets it without any quantile above the median: 10 × 20/10 = 20, residuals all 1.
        var pb = CausalBounds.ProfileRatioBase(r, None(12), 1, 4);
        Assert.Equal([20], CausalBounds.Predict(r, None(12), pb, 1, 0.5, 10, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => CausalBounds.Predict(r, None(12), b, 1, 0.5, 10, 11, phaseWindow: 0));
    }

    [Fact]
    public void Evaluate_counts_slack_and_intervals_under_the_need()
    {
        static int Ceil(double x) => (int)Math.Ceiling(x);
        // Loads 3, 3, 5 (the last missing), predictions 4, 2, 9; 1-s service: servers = ⌈load⌉.
        var (slack, missed, n) = CausalBounds.Evaluate([0, 3, 3, 5], [false, false, false, true], [4, 2, 9], 1, 1.0, Ceil);
        Assert.Equal(2, n);
        Assert.Equal(1, missed);                 // 3 needs 3 servers, 2 given
        Assert.Equal(0.125, slack, 12);          // (1 − 3/4 + max(0, 1 − 3/2)) / 2
        var (_, _, none) = CausalBounds.Evaluate([3], [false], [double.NaN], 0, 1.0, Ceil);
        Assert.Equal(0, none);
        Assert.Throws<ArgumentException>(() => CausalBounds.SeenBase([1, 2], [false], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => CausalBounds.SeenBase([1, 2], [false, false], 0));
    }

    [Fact]
    public void Recent_volatility_is_the_ewma_rms_of_log_growth_seen_by_t_minus_h()
    {
        var l2 = Math.Log(2);
        // Half-life 1 interval: weight 1/2. Log growths ln 2, 0, ln 2 → EWMA (ln 2)², ½(ln 2)², ¾(ln 2)².
        var s = CausalBounds.RecentVolatility([1, 2, 2, 4], None(4), 1, 1);
        Assert.True(double.IsNaN(s[0]) && double.IsNaN(s[1]));   // nothing seen by t − h yet
        Assert.Equal(l2, s[2], 12);
        Assert.Equal(Math.Sqrt(0.5) * l2, s[3], 12);
        // h = 2 looks one more interval back.
        var s2 = CausalBounds.RecentVolatility([1, 2, 2, 4], None(4), 2, 1);
        Assert.Equal(l2, s2[3], 12);
        // A flat stretch stays at the floor; a missing interval breaks the pair on both sides.
        Assert.Equal(0.01, CausalBounds.RecentVolatility([5, 5, 5], None(3), 1, 1, 0.01)[2]);
        var m = CausalBounds.RecentVolatility([1, 2, 8, 16], [false, false, true, false], 1, 1);
        Assert.Equal(l2, m[3], 12);                        // only 1 → 2 counted; 2 → 8 and 8 → 16 touch the missing one
        Assert.Throws<ArgumentOutOfRangeException>(() => CausalBounds.RecentVolatility([1, 2], None(2), 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CausalBounds.RecentVolatility([1, 2], None(2), 1, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CausalBounds.RecentVolatility([1, 2], None(2), 1, double.NaN));
    }

    [Fact]
    public void Volatility_scaled_prediction_equals_level_only_with_constant_sigma()
    {
        double[] r = [10, 20, 0, 40, 40, 80, 40];
        var b = CausalBounds.SeenBase(r, None(7), 1);
        var sigma = Enumerable.Repeat(0.5, 7).ToArray();
        foreach (var p in new[] { 0.25, 0.5, 0.75, 1.0 })
        {
            var level = CausalBounds.Predict(r, None(7), b, 1, p, 4, 7);
            var vol = CausalBounds.PredictVolatilityScaled(r, None(7), b, sigma, 1, p, 4, 7);
            Assert.Equal(level.Length, vol.Length);
            for (var k = 0; k < level.Length; k++)
            {
                Assert.Equal(level[k], vol[k], 9);
            }
        }
    }

    [Fact]
    public void Volatility_scaled_prediction_widens_when_recent_growth_was_bursty()
    {
        var e = Math.E;
        // Log ratios 1, 0, 2 at i = 1, 2, 3 with sigma 1, 1, 2: standardised 1, 0, 1.
        double[] r = [1, e, e, e * e * e];
        var b = CausalBounds.SeenBase(r, None(4), 1);
        double[] sigma = [1, 1, 1, 2];
        // At t = 3 the learned z {1, 0} has max 1: e × exp(1 × 2) = e³, the need; level-only's max ratio e gives e².
        Assert.Equal(Math.Pow(e, 3), CausalBounds.PredictVolatilityScaled(r, None(4), b, sigma, 1, 1.0, 3, 4)[0], 9);
        Assert.Equal(e * e, CausalBounds.Predict(r, None(4), b, 1, 1.0, 3, 4)[0], 9);
        // Fixed learning on [0, 2): z {1} only.
        Assert.Equal(Math.Pow(e, 3), CausalBounds.PredictVolatilityScaled(r, None(4), b, sigma, 1, 0.5, 3, 4, 0, 2)[0], 9);
        // No sigma or nothing learned: NaN.
        Assert.True(double.IsNaN(CausalBounds.PredictVolatilityScaled(r, None(4), b, [1, 1, 1, double.NaN], 1, 1.0, 3, 4)[0]));
        Assert.True(double.IsNaN(CausalBounds.PredictVolatilityScaled(r, None(4), b, sigma, 1, 1.0, 1, 2)[0]));
        Assert.Throws<ArgumentException>(() => CausalBounds.PredictVolatilityScaled(r, None(4), b, [1, 1], 1, 1.0, 3, 4));
    }
}
