using Auspex.Anomalies.Internal;

namespace Auspex.Anomalies.Tests;

/// <summary>Known-value tests of ARTime's pieces (fuzzy ART, features, confidence) and of the detector.</summary>
public sealed class ArtimeTests
{
    private const double Tol = 1e-12;

    [Fact]
    public void Haar8_KnownValues_CoarsestFirstAndEnergyPreserved()
    {
        double[] x = [1, 2, 3, 4, 5, 6, 7, 8];
        var y = new double[8];
        ArtimeDetector.Haar8(x, y);
        var r = Math.Sqrt(2);
        Assert.Equal(18 / r, y[0], Tol);      // a3
        Assert.Equal(8 / r, y[1], Tol);       // d3 = (a2[1] − a2[0])/√2 = (13 − 5)/√2
        Assert.Equal(2, y[2], Tol);           // d2
        Assert.Equal(2, y[3], Tol);
        for (var k = 4; k < 8; k++)
        {
            Assert.Equal(1 / r, y[k], Tol);   // d1 = (x[2k+1] − x[2k])/√2
        }
        Assert.Equal(x.Sum(v => v * v), y.Sum(v => v * v), 1e-9);
    }

    [Fact]
    public void WindowFeatures_AreMinMaxNormalisedWaveletThenTheWindow()
    {
        double[] window = [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.6];
        var f = new double[16];
        ArtimeDetector.WindowFeatures(window, f, new double[8]);
        Assert.Equal(window, f[8..]);
        Assert.Equal(0, f[..8].Min(), Tol);
        Assert.Equal(1, f[..8].Max(), Tol);
        // a flat window has all-zero wavelet features
        ArtimeDetector.WindowFeatures(Enumerable.Repeat(0.5, 8).ToArray(), f, new double[8]);
        Assert.All(f[..8], v => Assert.Equal(0, v));
    }

    [Fact]
    public void Match_KnownValues_FeatureCubedTimesEnergySquared()
    {
        var x = new double[4];
        DualVigilanceFuzzyArt.ComplementCode([0.2, 0.6], x);
        Assert.Equal([0.2, 0.6, 0.8, 0.4], x, new Approx(Tol));

        // the box [0.1, 0.3] × [0.5, 0.7] contains the input: full match
        Assert.Equal(1, DualVigilanceFuzzyArt.Match(x, [0.1, 0.5, 0.7, 0.3], out var e1), Tol);
        Assert.Equal(1, e1, Tol);

        // the box [0.3, 0.4] × [0.7, 0.8]: x ∧ w = (0.2, 0.6, 0.6, 0.2), |x ∧ w| = 1.6, |w| = 1.8;
        // energy over the last value (0.6 vs [0.7, 0.8]) = (0.6 + 0.2) / (0.7 + 0.2)
        var m = DualVigilanceFuzzyArt.Match(x, [0.3, 0.7, 0.6, 0.2], out var e2);
        Assert.Equal(0.8 / 0.9, e2, Tol);
        Assert.Equal(Math.Pow(1.6 / 1.8, 3) * Math.Pow(0.8 / 0.9, 2), m, Tol);

        // the uncommitted all-ones category: feature ½, energy ½
        Assert.Equal(0.125 * 0.25, DualVigilanceFuzzyArt.Match(x, [1, 1, 1, 1], out var e3), Tol);
        Assert.Equal(0.5, e3, Tol);
    }

    [Fact]
    public void Learn_IsTheFuzzyAnd()
    {
        double[] w = [0.3, 0.7, 0.6, 0.2];
        DualVigilanceFuzzyArt.Learn([0.2, 0.6, 0.8, 0.4], w);
        Assert.Equal([0.2, 0.6, 0.6, 0.2], w, new Approx(Tol));
    }

    [Fact]
    public void Train_ResonatesCommitsAndMismatches_ByTheTwoVigilances()
    {
        var art = new DualVigilanceFuzzyArt(2, 16) { RhoLower = 0.5, RhoUpper = 0.9 };
        Assert.Equal(1, art.Train([0.5, 0.5]));                // creates the uncommitted category only
        Assert.Equal(1, art.Categories);
        Assert.Equal(0, art.LastMatch);

        Assert.Equal(-1, art.Train([0.2, 0.6]));               // matches nothing: new cluster 2
        Assert.Equal(2, art.Categories);
        Assert.Equal(0.125 * 0.25, art.LastMatch, Tol);         // best was the uncommitted category

        Assert.Equal(2, art.Train([0.2, 0.6]));                // resonates (match 1 ≥ ρ_ub) with cluster 2
        Assert.Equal(1, art.LastMatch, Tol);
        Assert.Equal(2, art.Categories);

        // x = (0.25, 0.65): x ∧ w = (0.2, 0.6, 0.75, 0.35), |x ∧ w| / |w| = 1.9 / 2 and energy (0.6 + 0.35) / 1:
        // match 0.95⁵ ≈ 0.774, between the vigilances
        Assert.Equal(2, art.Train([0.25, 0.65]));
        Assert.Equal(Math.Pow(0.95, 5), art.LastMatch, 1e-9);
        Assert.Equal(3, art.Categories);                        // committed as a new category of cluster 2
        Assert.Equal(2, art.Clusters);
        Assert.Equal([0.25, 0.65, 0.75, 0.35], art.Weights(2).ToArray(), new Approx(Tol));

        Assert.Equal(-1, art.Train([0.9, 0.05]));              // far away: a mismatch, cluster 3
        Assert.Equal(3, art.Clusters);

        // learning off: the match is computed, nothing is learnt, −1 returned
        Assert.Equal(-1, art.Train([0.2, 0.6], learn: false));
        Assert.Equal(4, art.Categories);
    }

    [Fact]
    public void Train_EveryCategoryAboveTheUpperVigilanceLearns()
    {
        var art = new DualVigilanceFuzzyArt(1, 16) { RhoLower = 0.0, RhoUpper = 0.0 };
        art.Train([0.5]);
        art.RhoLower = 0.99;
        art.RhoUpper = 0.99;
        art.Train([0.4]);   // category 1 = [0.4, 0.4]
        art.Train([0.6]);   // category 2 = [0.6, 0.6]
        art.RhoLower = 0.1;
        art.RhoUpper = 0.1;
        art.Train([0.5]);   // both resonate and both learn: [0.4, 0.5] and [0.5, 0.6]
        Assert.Equal([0.4, 0.5], art.Weights(1).ToArray(), new Approx(Tol));
        Assert.Equal([0.5, 0.4], art.Weights(2).ToArray(), new Approx(Tol));
    }

    [Fact]
    public void Train_AtCapacity_ReplacesTheLeastRecentlyResonatingCategory()
    {
        var art = new DualVigilanceFuzzyArt(1, 3) { RhoLower = 0.999, RhoUpper = 0.999 };
        art.Train([0.5]);
        art.Train([0.1]);   // slot 1
        art.Train([0.9]);   // slot 2
        art.Train([0.1]);   // slot 1 resonates again
        art.Train([0.5]);   // full: replaces slot 2 (0.9), the least recent
        Assert.Equal(3, art.Categories);
        Assert.Equal(1, art.Evictions);
        Assert.Equal([0.5, 0.5], art.Weights(2).ToArray(), new Approx(Tol));
        Assert.Equal([0.1, 0.9], art.Weights(1).ToArray(), new Approx(Tol));
    }

    [Fact]
    public void Rescale_MapsEachBoxExactly_AndLeavesTheUncommittedCategory()
    {
        var a = new DualVigilanceFuzzyArt(1, 8) { RhoLower = 0.0, RhoUpper = 0.0 };
        a.Train([0.5]);
        a.RhoLower = 0.999;
        a.RhoUpper = 0.999;
        a.Train([0.2]);
        a.RhoLower = 0.05;
        a.RhoUpper = 0.05;
        a.Train([0.6]);     // match 0.6⁵ ≈ 0.078 (the uncommitted one: 0.031): box [0.2, 0.6]
        a.Rescale(0, 1, 0.5, 0.25);
        Assert.Equal([1, 1], a.Weights(0).ToArray(), new Approx(Tol));
        Assert.Equal([0.35, 1 - 0.55], a.Weights(1).ToArray(), new Approx(Tol));
    }

    [Theory]
    [InlineData(0.5, 1.0, 0.8, 0.9, 0.67)]
    [InlineData(0.5, 0.9, 0.8, 0.9, 0.82)]
    [InlineData(0.0, 0.0, 0.5, 0.9, 1.0)]     // capped at 1
    [InlineData(0.75, 1.0, 0.8, 0.8, 0.2)]
    public void Confidence_KnownValues(double match, double energy, double lb, double ub, double expected)
        => Assert.Equal(expected, ArtimeDetector.Confidence(match, energy, lb, ub), 1e-9);

    [Fact]
    public void Similarity_IsCosine_WithARTimesZeroNormRule()
    {
        Assert.Equal(1, ArtimeDetector.Similarity([1, 0], [2, 0]), Tol);
        Assert.Equal(0, ArtimeDetector.Similarity([1, 0], [0, 3]), Tol);
        Assert.Equal(1 - 5, ArtimeDetector.Similarity([0, 0], [3, 4]), Tol);
    }

    [Fact]
    public void Detector_DefaultProbation_DownsamplesBy7_AndScoresNothingDuringProbation()
    {
        var d = (ArtimeDetector)AnomalyDetectors.Create(AnomalyDetectors.Artime);
        Assert.Equal(7, d.DownsampleStep);
        Assert.Equal(107, d.TrendWindow);
        var results = Generated.Run(d, Generated.Daily(749, seed: 1, spikeAt: 700, spike: 200));
        Assert.All(results, r => Assert.Equal(0, r.Score));
        Assert.All(results, r => Assert.Contains("probation", r.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Detector_SpikeAfterProbation_ScoresAtItsBlockEnd_WithAReason()
    {
        var d = AnomalyDetectors.Create(AnomalyDetectors.Artime);
        var values = Generated.Daily(3000, seed: 11, spikeAt: 2000, spike: 60);
        var results = Generated.Run(d, values);
        var blockEnd = ((2000 / 7) + 1) * 7 - 1;   // 0-based index of the point that closes the spike's block
        Assert.True(results[blockEnd].Score >= 0.5, $"spike block scored {results[blockEnd].Score}");
        Assert.Contains("no category", results[blockEnd].Reason, StringComparison.Ordinal);
        Assert.Equal(0, results[blockEnd - 1].Score);  // scores only at block ends
    }

    [Fact]
    public void Restore_KnownRangeSettings_RoundTripAndContinueIdentically()
    {
        var settings = new ArtimeSettings { ProbationaryPoints = 604, InputMin = -5, InputMax = 120 };
        var values = Generated.Shifted(3000, seed: 12, at: 2200, shift: 30);
        foreach (var cut in new[] { 300, 1500 })   // during and after the probation
        {
            var a = AnomalyDetectors.CreateArtime(settings);
            Generated.Run(a, values[..cut]);
            var b = AnomalyDetectors.Restore(a.SaveState());
            Assert.Equal(AnomalyDetectors.Artime, b.Name);
            Assert.Equal(a.SaveState(), b.SaveState());
            var ra = Generated.Run(a, values, from: cut);
            var rb = Generated.Run(b, values, from: cut);
            Assert.Equal(ra.Select(r => r.Score), rb.Select(r => r.Score));
            Assert.Equal(ra.Select(r => r.Reason), rb.Select(r => r.Reason));
        }
    }

    [Fact]
    public void Widening_KeepsScoresInRange_AndALevelShiftAboveTheRangeAlarms()
    {
        var d = AnomalyDetectors.Create(AnomalyDetectors.Artime);
        var values = Generated.Shifted(3000, seed: 13, at: 2000, shift: 80);   // far above the probation range
        var results = Generated.Run(d, values);
        Assert.All(results, r => Assert.InRange(r.Score, 0, 1));
        Assert.True(results.Skip(2000).Take(14).Max(r => r.Score) >= 0.5);
    }

    [Fact]
    public void NaN_DuringAndAfterProbation_IsRejectedAndChangesNothing()
    {
        var d = AnomalyDetectors.Create(AnomalyDetectors.Artime);
        foreach (var n in new[] { 100, 1000 })
        {
            Generated.Run(d, Generated.Daily(n, seed: 14));
            var before = d.SaveState();
            var r = d.Update(Generated.Start, double.NaN);
            Assert.True(r.IsRejected);
            Assert.Equal(0, r.Score);
            Assert.Contains("rejected", r.Reason, StringComparison.Ordinal);
            Assert.Equal(before, d.SaveState());
        }
    }

    [Fact]
    public void Settings_OutOfRange_ThrowNamingTheSetting()
    {
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => AnomalyDetectors.CreateArtime(new ArtimeSettings { ProbationaryPoints = 10 }));
        Assert.Contains("ProbationaryPoints", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentException>(() => AnomalyDetectors.CreateArtime(new ArtimeSettings { InputMin = 1 }));
        Assert.Contains("InputMax", e2.Message, StringComparison.Ordinal);
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => AnomalyDetectors.CreateArtime(new ArtimeSettings { InputMin = 5, InputMax = 1 }));
        Assert.Contains("InputMin", e3.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => AnomalyDetectors.CreateArtime(new ArtimeSettings { InputMin = double.NaN, InputMax = 1 }));
    }

    [Fact]
    public void Restore_TruncatedState_ThrowsInvalidData()
    {
        var d = AnomalyDetectors.Create(AnomalyDetectors.Artime);
        Generated.Run(d, Generated.Daily(1000, seed: 15));
        var state = d.SaveState();
        Assert.Throws<InvalidDataException>(() => AnomalyDetectors.Restore(state[..(state.Length / 2)]));
    }

    private sealed class Approx(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
