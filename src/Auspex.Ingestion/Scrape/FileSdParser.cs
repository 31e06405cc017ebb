using System.Globalization;
using System.Text.Json;
using Auspex.Core.Series;
using YamlDotNet.RepresentationModel;

namespace Auspex.Ingestion.Scrape;

/// <summary>The target groups of a file_sd file, or why it could not be read.</summary>
/// <param name="Groups">The groups; empty on error.</param>
/// <param name="Error">What was wrong, with the file name; null on success.</param>
public sealed record FileSdResult(IReadOnlyList<TargetGroup> Groups, string? Error)
{
    /// <summary>True when the file was read.</summary>
    public bool IsSuccess => Error is null;
}

/// <summary>
/// Reads Prometheus file-based service discovery files: a JSON or YAML (by extension <c>.json</c>, <c>.yml</c>,
/// <c>.yaml</c>) list of <c>{targets: [...], labels: {...}}</c> objects.
/// </summary>
public static class FileSdParser
{
    /// <summary>Parses file content; <paramref name="yaml"/> selects YAML, otherwise JSON.</summary>
    public static FileSdResult Parse(string content, bool yaml, string source = "file_sd")
    {
        ArgumentNullException.ThrowIfNull(content);
        try
        {
            var raw = yaml ? ReadYaml(content) : ReadJson(content);
            var groups = new List<TargetGroup>();
            for (var i = 0; i < raw.Count; i++)
            {
                var (targets, labels) = raw[i];
                foreach (var t in targets)
                {
                    if (string.IsNullOrWhiteSpace(t) || t.Contains('/', StringComparison.Ordinal))
                    {
                        return new([], string.Create(CultureInfo.InvariantCulture, $"{source}: group {i}: target '{t}' must be host:port"));
                    }
                }
                groups.Add(new TargetGroup(targets, Labels.From(labels)));
            }
            return new(groups, null);
        }
        catch (Exception e) when (e is JsonException or YamlDotNet.Core.YamlException or FormatException or ArgumentException or InvalidOperationException or InvalidCastException)
        {
            return new([], $"{source}: {e.Message}");
        }
    }

    /// <summary>Reads and parses a file; the format follows the extension.</summary>
    public static FileSdResult ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string content;
        try
        {
            content = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new([], $"{path}: {e.Message}");
        }
        return Parse(content, IsYaml(path), path);
    }

    internal static bool IsYaml(string path) =>
        path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase);

    private static List<(List<string>, List<KeyValuePair<string, string>>)> ReadJson(string content)
    {
        using var doc = JsonDocument.Parse(content);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("the file must hold a list of target groups");
        }
        var result = new List<(List<string>, List<KeyValuePair<string, string>>)>();
        foreach (var group in doc.RootElement.EnumerateArray())
        {
            if (group.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("each target group must be an object with 'targets' and 'labels'");
            }
            var targets = new List<string>();
            var labels = new List<KeyValuePair<string, string>>();
            foreach (var prop in group.EnumerateObject())
            {
                if (prop.NameEquals("targets"))
                {
                    targets.AddRange(prop.Value.EnumerateArray().Select(t => t.GetString() ?? ""));
                }
                else if (prop.NameEquals("labels"))
                {
                    labels.AddRange(prop.Value.EnumerateObject().Select(l => new KeyValuePair<string, string>(l.Name, l.Value.GetString() ?? "")));
                }
                else
                {
                    throw new FormatException($"unknown key '{prop.Name}' in a target group");
                }
            }
            result.Add((targets, labels));
        }
        return result;
    }

    private static List<(List<string>, List<KeyValuePair<string, string>>)> ReadYaml(string content)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(content));
        var result = new List<(List<string>, List<KeyValuePair<string, string>>)>();
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return result;
        }
        if (stream.Documents[0].RootNode is not YamlSequenceNode groups)
        {
            throw new FormatException("the file must hold a list of target groups");
        }
        foreach (var node in groups)
        {
            if (node is not YamlMappingNode group)
            {
                throw new FormatException($"line {node.Start.Line}: each target group must be a mapping with 'targets' and 'labels'");
            }
            var targets = new List<string>();
            var labels = new List<KeyValuePair<string, string>>();
            foreach (var (k, v) in group.Children)
            {
                var key = ((YamlScalarNode)k).Value;
                if (key == "targets" && v is YamlSequenceNode seq)
                {
                    targets.AddRange(seq.Select(t => (t as YamlScalarNode)?.Value ?? ""));
                }
                else if (key == "labels" && v is YamlMappingNode map)
                {
                    labels.AddRange(map.Children.Select(l => new KeyValuePair<string, string>(
                        ((YamlScalarNode)l.Key).Value ?? "", (l.Value as YamlScalarNode)?.Value ?? "")));
                }
                else
                {
                    throw new FormatException($"line {k.Start.Line}: unexpected '{key}' in a target group");
                }
            }
            result.Add((targets, labels));
        }
        return result;
    }
}
