using Auspex.Engine;
using Auspex.Engine.Services;
using Auspex.Forecasting.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Auspex.Server.Endpoints;

/// <summary>One cross-validation window of one candidate (NaN errors as null).</summary>
internal sealed record CvWindowView(int Origin, double? Mae, double? Smape, string? Failure);

/// <summary>One candidate's cross-validation result.</summary>
internal sealed record CandidateView(string Model, int Rank, double? MeanMae, double? MeanSmape, string? Failure, IReadOnlyList<CvWindowView> Windows);

/// <summary>What the loop forecasts one series with, and why.</summary>
internal sealed record SeriesModelView(
    string Series, string Metric, IReadOnlyDictionary<string, string> Labels, string Model, IReadOnlyList<string> Selected,
    Auspex.Forecasting.ForecastStatus Status, string? Reason, DateTimeOffset? LastRetrain, string? RetrainReason, int Retrains, double? BacktestMae,
    double? LiveMae, int LiveForecastsScored, double StepSeconds, int Horizon, IReadOnlyList<int> Seasons,
    IReadOnlyList<CandidateView> Candidates);

/// <summary>
/// Read-only view of the loop's per-series model selection: the chosen model, the cross-validation table of every
/// candidate, and the retraining state (docs/api.md, docs/forecasting.md).
/// </summary>
internal static class ForecastModelEndpoints
{
    public static IEndpointRouteBuilder MapForecastModelEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1").WithTags("Forecasts");
        g.MapGet("/series/models", Handle)
            .WithName("GetSeriesModels")
            .WithSummary("For each series matching match= (alias selector=): the model the loop forecasts it with, the cross-validation score of every candidate, and the last retrain time and reason.")
            .Produces<IReadOnlyList<SeriesModelView>>().ProducesProblem(400);
        g.MapGet("/forecasts/models", Handle)
            .WithName("GetForecastModels")
            .WithSummary("Same as /api/v1/series/models.")
            .Produces<IReadOnlyList<SeriesModelView>>().ProducesProblem(400);
        return app;
    }

    private static IResult Handle(string? match, string? selector, FleetService fleet, AuspexRuntime runtime, ServerOptions opts)
    {
        if (match is not null && selector is not null && match != selector)
        {
            return AuspexServer.Problem(400, "Bad query", "give the series selector once, as 'match' or 'selector', not both");
        }
        var m = QueryParams.TryMatch(match ?? selector, out var err);
        if (m is null)
        {
            return AuspexServer.Problem(400, "Bad query", err!);
        }
        var series = fleet.Series(m);
        if (series.Count > opts.MaxSeriesPerQuery)
        {
            return AuspexServer.Problem(400, "Too many series", $"the selector matches {series.Count} series, more than the limit of {opts.MaxSeriesPerQuery}; narrow it");
        }
        var models = runtime.Loop.ForecastModels;
        var list = new List<SeriesModelView>();
        foreach (var s in series)
        {
            if (models.Get(s.Id) is { } info)
            {
                list.Add(View(s, info));
            }
        }
        return Results.Ok(list);
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static SeriesModelView View(SeriesView s, SeriesModelInfo i) => new(
        s.Id, s.Metric, s.Labels, i.Model, i.Selected, i.Status, i.Reason, i.LastRetrain, i.RetrainReason, i.Retrains,
        Finite(i.BacktestMae), Finite(i.LiveMae), i.LiveForecastsScored, i.Step.TotalSeconds, i.Horizon, i.Seasons,
        i.Candidates.Select(c => new CandidateView(c.Model, c.Rank, Finite(c.MeanMae), Finite(c.MeanSmape), c.Failure,
            c.Windows.Select(w => new CvWindowView(w.Origin, Finite(w.Mae), Finite(w.Smape), w.Failure)).ToList())).ToList());
}
