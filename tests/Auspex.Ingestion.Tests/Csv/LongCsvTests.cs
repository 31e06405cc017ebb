using System.Text;
using Auspex.Ingestion.Csv;
using Auspex.Testing;

namespace Auspex.Ingestion.Tests.Csv;

public sealed class LongCsvTests
{
    private static CsvReadResult Read(string text) => LongCsv.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), "in.csv");

    [Fact]
    public void Read_ExtraColumnsBecomeLabels_MetricColumnNamesSeries()
    {
        var r = Read("unique_id,ds,y,metric,host\na,2024-01-01T00:05:00Z,2,cpu_used,h1\na,2024-01-01T00:00:00Z,1,cpu_used,h1\nb,1704067200,3.5,mem_used,h2\n");
        Assert.True(r.Ok, string.Join("\n", r.Errors));
        Assert.Equal(3, r.Rows);
        var a = r.Series[0];
        Assert.Equal("cpu_used", a.Key.Metric);
        Assert.Equal("h1", a.Key.Labels["host"]);
        Assert.Equal("a", a.Key.Labels["unique_id"]);
        Assert.Equal([1.0, 2], a.Samples.Select(s => s.Value)); // sorted by time
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), r.Series[1].Samples[0].At);
    }

    [Fact]
    public void Read_WithoutMetricColumn_UsesDefaultMetric()
    {
        var r = Read("unique_id,ds,y\nx,2024-01-01,1\n");
        Assert.Equal(LongCsv.DefaultMetric, r.Series.Single().Key.Metric);
    }

    [Theory]
    [InlineData("unique_id,ds,y\na,2024-01-01,abc\n", "in.csv:2: series 'a': y 'abc' is not a number")]
    [InlineData("unique_id,ds,y\na,yesterday,1\n", "in.csv:2: series 'a': ds 'yesterday'")]
    [InlineData("unique_id,ds,y\na,2024-01-01,1\na,2024-01-01,2\n", "in.csv:3: series 'a': duplicate time stamp")]
    [InlineData("unique_id,ds,y\na,2024-01-01,NaN\n", "in.csv:2: series 'a': y is NaN")]
    [InlineData("unique_id,ds,y\na,2024-01-01\n", "in.csv:2: has 2 fields, the header has 3")]
    [InlineData("id,ds,value\n", "in.csv:1: header lacks column(s) unique_id, y")]
    [InlineData("", "in.csv:1: the file is empty")]
    [InlineData("unique_id,ds,y,bad-label\na,2024-01-01,1,x\n", "column 'bad-label' is not a valid label name")]
    public void Read_BadInput_RefusedWithFileLineAndReason(string text, string expected)
    {
        var r = Read(text);
        Assert.False(r.Ok);
        Assert.Empty(r.Series);
        Assert.Contains(r.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_QuotedFields_AreUnquoted()
    {
        var r = Read("unique_id,ds,y,note\n\"a,1\",2024-01-01,1,\"say \"\"hi\"\"\"\n");
        Assert.True(r.Ok, string.Join("\n", r.Errors));
        Assert.Equal("a,1", r.Series[0].Key.Labels["unique_id"]);
        Assert.Equal("say \"hi\"", r.Series[0].Key.Labels["note"]);
    }

    [Fact]
    public void ReadFile_Missing_SaysNotFound() =>
        Assert.Equal("/no/such.csv: file not found", LongCsv.ReadFile("/no/such.csv").Errors.Single());

    [Fact]
    public void ReadFile_SampleFleetGzip_ReadsEveryHostMetric()
    {
        var r = LongCsv.ReadFile(RepoPaths.Samples("fleet", "metrics.csv.gz"));
        Assert.True(r.Ok, string.Join("\n", r.Errors));
        Assert.Equal(200, r.Series.Count); // 40 hosts × 5 metrics
        Assert.All(r.Series, s => Assert.Equal(2016, s.Samples.Count));
    }
}
