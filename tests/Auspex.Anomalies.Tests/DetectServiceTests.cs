using System.Globalization;
using Auspex.Anomalies.Csv;

namespace Auspex.Anomalies.Tests;

public sealed class DetectServiceTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "auspex-detect-" + Guid.NewGuid().ToString("N"));

    public DetectServiceTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteSeries(string relative, int n, int spikeAt)
    {
        var path = Path.Combine(_dir, "in", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var values = Generated.Daily(n, seed: 21, spikeAt: spikeAt, spike: 80);
        var lines = new List<string> { "timestamp,value" };
        for (var i = 0; i < n; i++)
        {
            lines.Add((Generated.Start + (Generated.Step * i)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "," + values[i].ToString("R", CultureInfo.InvariantCulture));
        }
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Run_ArtimeWholeFile_UsesTheFilesRangeAndLength_AndScoresTheSpikeAfterTheProbation()
    {
        WriteSeries("one.csv", 1200, spikeAt: 1000);   // probation 15 % of 1200 = 180 points, step 1
        var done = DetectService.Run(Path.Combine(_dir, "in"), Path.Combine(_dir, "out"), AnomalyDetectors.Artime, wholeFile: true);
        var scores = File.ReadAllLines(done[0].Output).Skip(1).Select(l => double.Parse(l.Split(',')[2], CultureInfo.InvariantCulture)).ToList();
        Assert.All(scores.Take(180), s => Assert.Equal(0, s));
        Assert.Equal(1000, scores.IndexOf(scores.Max()));
        Assert.True(scores[1000] >= 0.5, $"spike scored {scores[1000]}");
    }

    [Fact]
    public void Run_WholeFileWithAnotherDetector_Throws()
    {
        WriteSeries("one.csv", 300, spikeAt: -1);
        var e = Assert.Throws<ArgumentException>(() => DetectService.Run(Path.Combine(_dir, "in"), Path.Combine(_dir, "out"), AnomalyDetectors.Ensemble, wholeFile: true));
        Assert.Contains("artime", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    [Fact]
    public void Run_Folder_WritesEachFileAtTheSameRelativePathWithScores()
    {
        WriteSeries("a/one.csv", 800, spikeAt: 700);
        WriteSeries("two.csv", 300, spikeAt: -1);
        var done = DetectService.Run(Path.Combine(_dir, "in"), Path.Combine(_dir, "out"));

        Assert.Equal(2, done.Count);
        var lines = File.ReadAllLines(Path.Combine(_dir, "out", "a", "one.csv"));
        Assert.Equal("timestamp,value,anomaly_score", lines[0]);
        Assert.Equal(801, lines.Length);
        var scores = lines.Skip(1).Select(l => double.Parse(l.Split(',')[2], CultureInfo.InvariantCulture)).ToList();
        Assert.All(scores, s => Assert.InRange(s, 0, 1));
        Assert.Equal(700, scores.IndexOf(scores.Max()));
        Assert.True(File.Exists(Path.Combine(_dir, "out", "two.csv")));
    }

    [Fact]
    public void Run_BadValue_ThrowsNamingFileAndLine_AndWritesNothing()
    {
        WriteSeries("good.csv", 50, spikeAt: -1);
        var bad = Path.Combine(_dir, "in", "bad.csv");
        File.WriteAllLines(bad, ["timestamp,value", "2024-01-01 00:00:00,1", "2024-01-01 00:05:00,NaN"]);
        var e = Assert.Throws<SeriesCsvException>(() => DetectService.Run(Path.Combine(_dir, "in"), Path.Combine(_dir, "out")));
        Assert.Equal(3, e.Line);
        Assert.Contains("bad.csv:3", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    [Theory]
    [InlineData("time,value\n2024-01-01 00:00:00,1", 1, "header")]
    [InlineData("timestamp,value\n2024-13-01 00:00:00,1", 2, "bad timestamp")]
    [InlineData("timestamp,value\n2024-01-01 00:00:00,abc", 2, "bad value")]
    [InlineData("timestamp,value\n2024-01-01 00:00:00", 2, "columns")]
    public void Read_BadRow_NamesTheLineAndProblem(string text, int line, string problem)
    {
        var e = Assert.Throws<SeriesCsvException>(() => SeriesCsv.Read(new StringReader(text), "x.csv"));
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_IsoAndNabTimestamps_AreUtc()
    {
        var points = SeriesCsv.Read(new StringReader("timestamp,value\n2014-03-07 03:41:00,1.5\n2014-03-07T03:46:00Z,2\n"), "x.csv");
        Assert.Equal(2, points.Count);
        Assert.Equal(new DateTimeOffset(2014, 3, 7, 3, 41, 0, TimeSpan.Zero), points[0].At);
        Assert.Equal(TimeSpan.FromMinutes(5), points[1].At - points[0].At);
        Assert.Equal("2014-03-07 03:41:00", points[0].Timestamp);
    }

    [Fact]
    public void Run_MissingInput_Throws()
    {
        var e = Assert.Throws<SeriesCsvException>(() => DetectService.Run(Path.Combine(_dir, "nope"), Path.Combine(_dir, "out")));
        Assert.Contains("no such file", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => DetectService.Run(_dir, Path.Combine(_dir, "out"), "nope"));
    }
}
