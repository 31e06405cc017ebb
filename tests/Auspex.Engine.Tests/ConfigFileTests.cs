using Auspex.Engine.Configuration;
using Auspex.Testing;

namespace Auspex.Engine.Tests;

public sealed class ConfigFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string yaml)
    {
        var p = _dir.File("auspex.yaml");
        File.WriteAllText(p, yaml);
        return p;
    }

    [Fact]
    public void Load_Valid_ResolvesPathsAndDurations()
    {
        File.WriteAllText(_dir.File("t.yaml"), "x");
        var r = ConfigFile.Load(Write("data_dir: d\ntopology: t.yaml\nloop: {interval: 1m, horizon: 6h, season: 1d, history: 14d, model: snaive, retrain_every: 6h}\nretention: {raw: 2d, five_minutes: 30d, one_hour: 1y}\n".Replace("1y", "365d", StringComparison.Ordinal)));
        Assert.Empty(r.Errors);
        Assert.Equal(Path.Combine(_dir.Path, "d"), r.Settings!.DataDirectory);
        Assert.Equal(_dir.File("t.yaml"), r.Settings.TopologyPath);
        Assert.Equal(TimeSpan.FromMinutes(1), r.Settings.Engine.Interval);
        Assert.Equal("snaive", r.Settings.Engine.ForecastModel);
        Assert.Equal(TimeSpan.FromHours(6), r.Settings.Engine.RetrainInterval);
        Assert.Equal(TimeSpan.FromDays(2), r.Settings.Retention!.Raw);
    }

    [Theory]
    [InlineData("loop: {interval: soon}", ":1:", "'interval' must be a positive duration")]
    [InlineData("topology: nowhere.yaml", ":1:", "not found")]
    [InlineData("loop: {model: lstm9}", ": ", "ForecastModel 'lstm9' is unknown")]
    [InlineData("loop: {retrain_every: never}", ":1:", "'retrain_every' must be a positive duration")]
    [InlineData("colour: blue", ":1:1:", "unknown key 'colour'")]
    [InlineData("retention: {raw: 90d, five_minutes: 30d}", ":1:", "retention must not shrink")]
    [InlineData("replay: {speed: 10}", ":1:", "needs at least one file")]
    [InlineData("loop: [", ":", "invalid YAML")]
    public void Load_Bad_NamesFileLineAndReason(string yaml, string where, string reason)
    {
        var path = Write(yaml);
        var r = ConfigFile.Load(path);
        Assert.Null(r.Settings);
        Assert.Contains(r.Errors, e => e.StartsWith(path + where, StringComparison.Ordinal) && e.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_Missing_SaysNotFound() => Assert.EndsWith("file not found", ConfigFile.Load(_dir.File("none.yaml")).Errors.Single(), StringComparison.Ordinal);
}
