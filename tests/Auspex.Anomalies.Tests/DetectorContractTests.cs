namespace Auspex.Anomalies.Tests;

/// <summary>The contract every univariate detector in the registry must keep.</summary>
public sealed class DetectorContractTests
{
    public static TheoryData<string, bool> Detectors()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in AnomalyDetectors.Names)
        {
            data.Add(name, true);
            data.Add(name, false);
        }
        return data;
    }

    private static IAnomalyDetector Create(string name, bool likelihood)
        => AnomalyDetectors.Create(name, AnomalyDetectorOptions.Default with { Likelihood = likelihood });

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Update_AnySeries_ScoresStayInUnitInterval(string name, bool likelihood)
    {
        var detector = Create(name, likelihood);
        var values = Generated.Daily(1500, seed: 1, spikeAt: 1000, spike: 80);
        foreach (var r in Generated.Run(detector, values))
        {
            Assert.InRange(r.Score, 0, 1);
            Assert.False(string.IsNullOrWhiteSpace(r.Reason));
        }
        Assert.Equal(name, detector.Name);
        Assert.Equal(1500, detector.Count);
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Update_NaNOrInfinity_ReturnsRejectedResultWithoutChangingState(string name, bool likelihood)
    {
        var detector = Create(name, likelihood);
        Generated.Run(detector, Generated.Daily(300, seed: 2));
        var before = detector.SaveState();
        foreach (var bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            var r = detector.Update(Generated.Start.AddDays(2), bad);
            Assert.True(r.IsRejected);
            Assert.Equal(0, r.Score);
            Assert.Contains("rejected", r.Reason, StringComparison.Ordinal);
        }
        Assert.Equal(before, detector.SaveState());
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Restore_AfterSave_ContinuesExactlyLikeTheOriginal(string name, bool likelihood)
    {
        var values = Generated.Daily(1200, seed: 3, spikeAt: 900, spike: 40);
        var original = Create(name, likelihood);
        for (var i = 0; i < 600; i++)
        {
            original.Update(Generated.Start + (Generated.Step * i), values[i]);
        }
        var restored = AnomalyDetectors.Restore(original.SaveState());
        Assert.Equal(original.Name, restored.Name);
        Assert.Equal(original.Count, restored.Count);
        var a = Generated.Run(original, values, from: 600);
        var b = Generated.Run(restored, values, from: 600);
        Assert.Equal(a.Select(r => r.Score), b.Select(r => r.Score));
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void SaveState_DoesNotGrowWithTheNumberOfPoints(string name, bool likelihood)
    {
        var detector = Create(name, likelihood);
        Generated.Run(detector, Generated.Daily(1000, seed: 4));
        var small = detector.SaveState().Length;
        Generated.Run(detector, Generated.Daily(4000, seed: 5));
        Assert.Equal(small, detector.SaveState().Length);
    }

    // the per-series state sizes documented in docs/anomalies.md ("What each costs per series"), measured on NAB
    private static readonly Dictionary<string, int> DocumentedStateBytes = new()
    {
        [AnomalyDetectors.Residual] = 5_000,
        [AnomalyDetectors.Seasonal] = 7_500,
        [AnomalyDetectors.ChangePoint] = 10_800,
        [AnomalyDetectors.Ensemble] = 14_100,
        [AnomalyDetectors.EnsembleWeekly] = 27_900,
        [AnomalyDetectors.Artime] = 70_700,
        [AnomalyDetectors.EnsembleArtime] = 98_600,
    };

    [Theory]
    [MemberData(nameof(Detectors))]
    public void SaveState_StaysWithinTheDocumentedSize(string name, bool likelihood)
    {
        Assert.True(DocumentedStateBytes.ContainsKey(name), $"'{name}' has no documented state size (docs/anomalies.md).");
        var detector = Create(name, likelihood);
        Generated.Run(detector, Generated.Daily(3000, seed: 8, spikeAt: 2000, spike: 60));
        Assert.InRange(detector.SaveState().Length, 1, DocumentedStateBytes[name]);
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Update_LargeSpike_ScoresHigherThanEveryNormalPoint(string name, bool likelihood)
    {
        if (name == AnomalyDetectors.ChangePoint)
        {
            return; // a lone spike is not a change of regime; see Update_LevelShift_ScoresHigherThanEveryNormalPoint
        }
        var detector = Create(name, likelihood);
        var values = Generated.Daily(2000, seed: 6, spikeAt: 1500, spike: 60);
        var results = Generated.Run(detector, values);
        // ARTime scores once per downsampling block (7 points with its default probation), at the block's end
        var spikeScore = results.Skip(1500).Take(name == AnomalyDetectors.Artime ? 7 : 3).Max(r => r.Score);
        var normalMax = results.Skip(400).Take(1000).Max(r => r.Score);
        Assert.True(spikeScore > normalMax, $"spike {spikeScore} vs normal max {normalMax}");
        Assert.True(spikeScore >= 0.5, $"spike scored only {spikeScore}");
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Update_LevelShift_ScoresHigherThanEveryNormalPoint(string name, bool likelihood)
    {
        var detector = Create(name, likelihood);
        var results = Generated.Run(detector, Generated.Shifted(2000, seed: 10, at: 1500, shift: 30));
        var shiftScore = results.Skip(1500).Take(10).Max(r => r.Score);
        var normalMax = results.Skip(400).Take(1000).Max(r => r.Score);
        Assert.True(shiftScore > normalMax, $"shift {shiftScore} vs normal max {normalMax}");
        Assert.True(shiftScore >= 0.5, $"shift scored only {shiftScore}");
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Update_DuringWarmup_ScoresZero(string name, bool likelihood)
    {
        var detector = Create(name, likelihood);
        var values = Generated.Daily(100, seed: 7, spikeAt: 50, spike: 100);
        Assert.All(Generated.Run(detector, values), r => Assert.Equal(0, r.Score));
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void MarkFalsePositive_SameSurpriseAgain_ScoresBelowThreshold(string name, bool likelihood)
    {
        var detector = Create(name, likelihood);
        var values = Generated.Shifted(2000, seed: 8, at: 1500, shift: 25);
        var results = Generated.Run(detector, values, from: 0);
        var flagged = results.Where(r => r.Score >= AnomalyDetectorOptions.Default.Threshold).ToList();
        Assert.NotEmpty(flagged);
        var copy = AnomalyDetectors.Restore(detector.SaveState());
        var worst = flagged.MaxBy(r => r.Score);
        detector.MarkFalsePositive(worst);

        // the same kind of shift later: the corrected detector scores it lower than the uncorrected copy
        var later = Generated.Shifted(600, seed: 9, at: 300, shift: -25);
        var corrected = Generated.Run(detector, later).Max(r => r.Score);
        var uncorrected = Generated.Run(copy, later).Max(r => r.Score);
        Assert.True(corrected < uncorrected, $"corrected {corrected} vs uncorrected {uncorrected}");
    }

    [Fact]
    public void Create_UnknownName_ThrowsWithTheKnownNames()
    {
        var e = Assert.Throws<ArgumentException>(() => AnomalyDetectors.Create("nope"));
        Assert.Contains(AnomalyDetectors.DefaultName, e.Message, StringComparison.Ordinal);
        Assert.False(AnomalyDetectors.TryCreate("nope", null, out _));
    }

    [Fact]
    public void Restore_GarbageBytes_ThrowsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => AnomalyDetectors.Restore([1, 2, 3]));
        var state = AnomalyDetectors.Create(AnomalyDetectors.DefaultName).SaveState();
        Assert.Throws<InvalidDataException>(() => AnomalyDetectors.Restore(state[..^4]));
    }

    [Fact]
    public void AnomalyResult_ScoreOutsideUnitInterval_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyResult(Generated.Start, 1, 1.5, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyResult(Generated.Start, 1, double.NaN, "x"));
    }
}
