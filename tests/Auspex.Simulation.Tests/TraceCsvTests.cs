using Auspex.Simulation.Traces;
using Auspex.Testing;

namespace Auspex.Simulation.Tests;

public sealed class TraceCsvTests
{
    private static TraceReadResult Read(string csv, string? series = null) => TraceCsv.Read(new StringReader(csv), "t.csv", series);

    [Fact]
    public void Read_TimestampValue_GivesTheRatesPerStep()
    {
        var r = Read("timestamp,value\n2026-01-01T00:00:00Z,60\n2026-01-01T00:01:00Z,120\n");
        Assert.True(r.Ok, string.Join(";", r.Errors));
        Assert.Equal(TimeSpan.FromMinutes(1), r.Trace!.Step);
        Assert.Equal(1, r.Trace.RateAt(0));
        Assert.Equal(2, r.Trace.PeakRate);
    }

    [Fact]
    public void Read_LongFormat_SumsSeriesPerTime_OrKeepsOne()
    {
        const string csv = "unique_id,ds,y\na,2026-01-01T00:00:00Z,1\na,2026-01-01T00:05:00Z,2\nb,2026-01-01T00:00:00Z,10\nb,2026-01-01T00:05:00Z,20\n";
        var all = Read(csv);
        Assert.Equal([11.0, 22.0], all.Trace!.Values);
        Assert.Contains(all.Warnings, w => w.Contains("2 series summed", StringComparison.Ordinal));
        Assert.Equal([10.0, 20.0], Read(csv, "b").Trace!.Values);
        Assert.False(Read(csv, "zz").Ok);
    }

    [Fact]
    public void Read_Gap_IsInterpolatedAndReported()
    {
        var r = Read("ds,y\n2026-01-01T00:00:00Z,0\n2026-01-01T00:01:00Z,10\n2026-01-01T00:04:00Z,40\n");
        Assert.Equal([0.0, 10, 20, 30, 40], r.Trace!.Values);
        Assert.Contains(r.Warnings, w => w.Contains("2 missing", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a,b\n1,2\n", "line 1")]
    [InlineData("ds,y\n2026-01-01T00:00:00Z,1\nnot-a-time,2\n", "line 3")]
    [InlineData("ds,y\n2026-01-01T00:00:00Z,1\n2026-01-01T00:01:00Z,Infinity\n", "line 3")] // NaN/empty = missing data since session 7
    [InlineData("ds,y\n2026-01-01T00:00:00Z,1\n2026-01-01T00:01:00Z,-4\n", "negative")]
    [InlineData("ds,y\n2026-01-01T00:01:00Z,1\n2026-01-01T00:00:00Z,2\n", "time order")]
    [InlineData("ds,y\n2026-01-01T00:00:00Z,1\n", "at least 2")]
    [InlineData("ds,y\n2026-01-01T00:00:00Z,1\n2026-01-01T00:02:00Z,1\n2026-01-01T00:03:00Z,1\n2026-01-01T00:04:30Z,1\n", "off the")]
    public void Read_BadInput_SaysWhatAndWhere(string csv, string expected)
    {
        var r = Read(csv);
        Assert.False(r.Ok);
        Assert.Contains(r.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void ReadFile_Missing_NamesTheFile()
    {
        var r = TraceCsv.ReadFile("/nonexistent/trace.csv");
        Assert.Contains("/nonexistent/trace.csv", r.Errors.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_Samples_ReadEveryMinute()
    {
        var wc = TraceCsv.ReadFile(RepoPaths.Samples("traces", "worldcup98_1998-07-02_7d.csv"));
        Assert.Equal(10_080, wc.Trace!.Count);
        Assert.Empty(wc.Warnings);
        Assert.Equal(229_426 / 60.0, wc.Trace.PeakRate, 6);
    }
}
