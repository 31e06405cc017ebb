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
}
