using System.Xml.Linq;
using static Auspex.Scoring.Tests.ScoringFixture;
using static Auspex.Testing.Builders;

namespace Auspex.Scoring.Tests;

public sealed class HeatmapTests
{
    [Theory]
    [InlineData(0.0, "#d73027")]
    [InlineData(0.5, "#fee08b")]
    [InlineData(1.0, "#1a9850")]
    [InlineData(double.NaN, "#cccccc")]
    public void Colour_KnownStops(double d, string expected) => Assert.Equal(expected, Heatmap.Colour(d));

    [Fact]
    public void Build_GroupsHostsByZoneAndRackAndNamesTheWorstPart()
    {
        var t = Rich();
        var scores = new LocalityScorer().Score(t, [Cpu("h11", 4), Cpu("h12", 1), Cpu("h21", 1)], T0);
        var map = Heatmap.Build(t, scores, T0);
        var zone = Assert.Single(map.Zones);
        Assert.Equal(["rack1", "rack2"], zone.Racks.Select(r => r.Id));
        var h11 = zone.Racks[0].Hosts.Single(h => h.Locality == "h11");
        Assert.Equal("capacity", h11.WorstPart);
        Assert.Null(zone.Racks[1].Hosts.Single(h => h.Locality == "h22").Desirability);
        Assert.Equal("#cccccc", zone.Racks[1].Hosts.Single(h => h.Locality == "h22").Colour);
    }

    [Fact]
    public void Svg_IsWellFormedWithOneRectPerHost()
    {
        var t = Rich();
        var svg = HeatmapSvg.Render(Heatmap.Build(t, new LocalityScorer().Score(t, AllCpu(1), T0), T0));
        var doc = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(4, doc.Descendants(ns + "rect").Count());
        Assert.Contains("h11: desirability", svg, StringComparison.Ordinal);
    }
}
