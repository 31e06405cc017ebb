using Auspex.Core.Series;
using Auspex.Ingestion.Scrape;

namespace Auspex.Ingestion.Tests.Scrape;

public class FileSdTests
{
    [Fact]
    public void Parse_Json_ReadsGroups()
    {
        var r = FileSdParser.Parse("""[{"targets": ["a:1", "b:2"], "labels": {"env": "prod"}}, {"targets": ["c:3"]}]""", yaml: false);

        Assert.True(r.IsSuccess, r.Error);
        Assert.Equal(2, r.Groups.Count);
        Assert.Equal(["a:1", "b:2"], r.Groups[0].Targets);
        Assert.Equal(Labels.Of("env", "prod"), r.Groups[0].Labels);
        Assert.Empty(r.Groups[1].Labels);
    }

    [Fact]
    public void Parse_Yaml_ReadsGroups()
    {
        const string yaml = """
            - targets: ['a:1']
              labels:
                env: prod
                team: infra
            - targets:
                - c:3
            """;

        var r = FileSdParser.Parse(yaml, yaml: true);

        Assert.True(r.IsSuccess, r.Error);
        Assert.Equal(Labels.Of("env", "prod", "team", "infra"), r.Groups[0].Labels);
        Assert.Equal(["c:3"], r.Groups[1].Targets);
    }

    [Theory]
    [InlineData("{\"targets\": []}", false, "list of target groups")]
    [InlineData("[{\"targets\": [\"a:1\"], \"labelz\": {}}]", false, "unknown key 'labelz'")]
    [InlineData("[{\"targets\": [\"http://a:1/x\"]}]", false, "must be host:port")]
    [InlineData("[{\"targets\": [\"a:1\"], \"labels\": {\"bad-name\": \"x\"}}]", false, "'bad-name' is invalid")]
    [InlineData("[not json", false, "file_sd")]
    [InlineData("targets: [a]", true, "list of target groups")]
    [InlineData("- targets: [a:1]\n  extra: 1\n", true, "unexpected 'extra'")]
    [InlineData("- [", true, "file_sd")]
    public void Parse_Invalid_FailsWithReason(string content, bool yaml, string expected)
    {
        var r = FileSdParser.Parse(content, yaml);

        Assert.False(r.IsSuccess);
        Assert.Contains(expected, r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Discover_FileChanges_AreReReadAndABrokenFileKeepsThePreviousTargets()
    {
        using var dir = new TempDir();
        var json = dir.File("targets.json");
        var yml = dir.File("more.yml");
        File.WriteAllText(json, """[{"targets": ["a:1"]}]""");
        File.WriteAllText(yml, "- targets: ['y:9']\n");
        var scraper = new Scraper(new ScrapeOptions { JobName = "j", FileSdFiles = [json, yml] }, new HttpClient(), TimeProvider.System, (_, _) => Task.CompletedTask);

        Assert.Equal(["a:1", "y:9"], scraper.Discover().Select(t => t.Instance));

        File.WriteAllText(json, """[{"targets": ["b:2", "c:3"]}]""");
        Assert.Equal(["b:2", "c:3", "y:9"], scraper.Discover().Select(t => t.Instance));

        File.WriteAllText(json, "[broken");
        Assert.Equal(["b:2", "c:3", "y:9"], scraper.Discover().Select(t => t.Instance));
        Assert.Contains(json, Assert.Single(scraper.DiscoveryErrors), StringComparison.Ordinal);

        File.Delete(json);
        Assert.Equal(["b:2", "c:3", "y:9"], scraper.Discover().Select(t => t.Instance));
        Assert.Single(scraper.DiscoveryErrors);
    }
}
