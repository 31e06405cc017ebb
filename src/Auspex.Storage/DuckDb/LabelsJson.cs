using System.Text.Json;
using Auspex.Core.Series;

namespace Auspex.Storage.DuckDb;

/// <summary>Labels as a JSON object with sorted keys (the canonical stored form).</summary>
internal static class LabelsJson
{
    public static string Format(Labels labels) =>
        JsonSerializer.Serialize(labels.ToDictionary(p => p.Key, p => p.Value), StoreJson.Options);

    public static Labels Parse(string json) =>
        Labels.From(JsonSerializer.Deserialize<Dictionary<string, string>>(json, StoreJson.Options) ?? []);
}

internal static class StoreJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
