using Auspex.Ingestion.PrometheusApi;

namespace Auspex.Ingestion.Tests.PrometheusApi;

public class QueryPlanTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Theory]
    [InlineData(3600, 15, 11000, 15)] // an hour at the scrape interval
    [InlineData(14 * 86400, 15, 11000, 120)] // two weeks: 110 s needed, rounded to 2 m
    [InlineData(7 * 86400, 15, 11000, 60)]
    [InlineData(365 * 86400, 15, 11000, 3600)]
    [InlineData(100, 1, 11000, 1)]
    [InlineData(30 * 365 * 86400L, 15, 11000, 86400)]
    public void ChooseStep_PicksSmallestRoundStepWithinPointBudget(long rangeSeconds, int minStepSeconds, int target, int expectedSeconds)
    {
        var step = QueryPlan.ChooseStep(TimeSpan.FromSeconds(rangeSeconds), TimeSpan.FromSeconds(minStepSeconds), target);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), step);
        Assert.True(rangeSeconds / step.TotalSeconds + 1 <= target);
    }

    [Fact]
    public void ChooseStep_BeyondTheLastRoundStep_UsesWholeDays()
    {
        var step = QueryPlan.ChooseStep(TimeSpan.FromDays(100 * 365), TimeSpan.FromSeconds(15), 11000);

        Assert.Equal(TimeSpan.FromDays(4), step);
    }

    [Fact]
    public void ChooseStep_AnyRange_StaysUnderTheLimit()
    {
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var range = TimeSpan.FromSeconds(random.NextDouble() * 400 * 86400);
            var step = QueryPlan.ChooseStep(range, TimeSpan.FromSeconds(15), 11000);
            Assert.True(range.Ticks / step.Ticks + 1 <= 11000, $"{range} with step {step}");
            Assert.True(step >= TimeSpan.FromSeconds(15));
        }
    }

    [Fact]
    public void Chunks_CoverEveryInstantOnceWithoutOverlap()
    {
        var step = TimeSpan.FromSeconds(15);
        var end = T0 + TimeSpan.FromDays(3);

        var chunks = QueryPlan.Chunks(T0, end, step, 11000, TimeSpan.FromDays(1));

        var instants = chunks.SelectMany(c => Enumerable.Range(0, (int)((c.End - c.Start) / step) + 1).Select(k => c.Start + step * k)).ToList();
        Assert.Equal(instants.Count, instants.Distinct().Count());
        Assert.Equal(T0, instants[0]);
        Assert.Equal(end, instants[^1]);
        Assert.Equal((int)((end - T0) / step) + 1, instants.Count);
        Assert.All(chunks, c => Assert.True(c.End - c.Start <= TimeSpan.FromDays(1)));
        Assert.Equal(3, chunks.Count); // 17,281 instants in chunks of one day (5,761 instants)
    }

    [Fact]
    public void Chunks_RespectThePointLimit()
    {
        var step = TimeSpan.FromSeconds(1);

        var chunks = QueryPlan.Chunks(T0, T0 + TimeSpan.FromSeconds(25_000), step, 11000, TimeSpan.FromDays(30));

        Assert.Equal(3, chunks.Count);
        Assert.All(chunks, c => Assert.True((c.End - c.Start) / step + 1 <= 11000));
        Assert.Equal(chunks[0].End + step, chunks[1].Start);
    }

    [Fact]
    public void Chunks_EmptyRange_IsOneInstant()
    {
        Assert.Equal([new QueryChunk(T0, T0)], QueryPlan.Chunks(T0, T0, TimeSpan.FromSeconds(15), 11000, TimeSpan.FromDays(1)));
    }
}
