using Auspex.Core.Forecasts;
using Auspex.Core.Resources;

namespace Auspex.Placement.Selection;

/// <summary>The forecast of one host's usage of one resource, as data (placement never runs forecasters).</summary>
/// <param name="Host">Host id.</param>
/// <param name="Resource">The resource forecast.</param>
/// <param name="Forecast">Predicted usage in the resource's base unit.</param>
public sealed record HostUsageForecast(string Host, ResourceKind Resource, Forecast Forecast);
