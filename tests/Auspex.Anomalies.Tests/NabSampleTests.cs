using System.Globalization;
using System.Text.Json;
using Auspex.Anomalies.Csv;

namespace Auspex.Anomalies.Tests;

/// <summary>Smoke tests on the small NAB sample committed under samples/nab (not the shared benchmark data).</summary>
public sealed class NabSampleTests
{
    private static string SampleDir()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "samples", "nab");
            if (File.Exists(Path.Combine(candidate, "labels", "combined_windows.json")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("samples/nab not found above " + AppContext.BaseDirectory);
    }

    private static List<(DateTimeOffset Start, DateTimeOffset End)> Windows(string dir, string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "labels", "combined_windows.json")));
        return doc.RootElement.GetProperty(file).EnumerateArray()
            .Select(w => (Parse(w[0].GetString()!), Parse(w[1].GetString()!)))
            .ToList();

        static DateTimeOffset Parse(string s) => DateTimeOffset.ParseExact(s, "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }

    [Theory]
    [InlineData("artificialWithAnomaly/art_daily_jumpsup.csv", "ensemble")]
    [InlineData("realKnownCause/ec2_request_latency_system_failure.csv", "ensemble")]
    [InlineData("artificialWithAnomaly/art_daily_jumpsup.csv", "ensemble-weekly")]
    [InlineData("realKnownCause/ec2_request_latency_system_failure.csv", "ensemble-weekly")]
    [InlineData("artificialWithAnomaly/art_daily_jumpsup.csv", "artime")]
    [InlineData("realKnownCause/ec2_request_latency_system_failure.csv", "artime")]
    [InlineData("artificialWithAnomaly/art_daily_jumpsup.csv", "ensemble-artime")]
    [InlineData("realKnownCause/ec2_request_latency_system_failure.csv", "ensemble-artime")]
    public void Ensemble_NabSample_HighestScoreAfterProbationIsInALabelledWindow(string file, string detector)
    {
        var dir = SampleDir();
        var points = SeriesCsv.Read(Path.Combine(dir, file));
        var scores = DetectService.Score(points, AnomalyDetectors.Create(detector));
        var probation = Math.Min((int)(0.15 * points.Count), 750);
        var best = Enumerable.Range(probation, points.Count - probation).MaxBy(i => scores[i]);
        var windows = Windows(dir, file);
        Assert.Contains(windows, w => points[best].At >= w.Start && points[best].At <= w.End);
        Assert.True(scores[best] >= AnomalyDetectorOptions.Default.Threshold, $"best score {scores[best]}");
    }

    [Theory]
    [InlineData("ensemble")]
    [InlineData("ensemble-weekly")]
    [InlineData("artime")]
    [InlineData("ensemble-artime")]
    public void Ensemble_NabSampleWithoutAnomaly_StaysBelowThreshold(string detector)
    {
        var dir = SampleDir();
        var points = SeriesCsv.Read(Path.Combine(dir, "artificialNoAnomaly/art_daily_no_noise.csv"));
        var scores = DetectService.Score(points, AnomalyDetectors.Create(detector));
        Assert.All(scores.Skip(Math.Min((int)(0.15 * points.Count), 750)), s => Assert.True(s < 0.6, $"score {s}"));
    }
}
