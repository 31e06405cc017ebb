using System.Globalization;
using System.IO.Compression;

namespace Auspex.Bench.Scoring;

/// <summary>A unit that can fail (node, rack, enclosure), its group path and the span it was observed.</summary>
internal sealed record Unit(string Id, string[] Path, DateTime Start, DateTime End);

/// <summary>Units and their failure times.</summary>
internal sealed record FailureData(string Name, List<Unit> Units, Dictionary<string, List<DateTime>> Events);

internal static class FailureReaders
{
    /// <summary>
    /// LANL: every node 0..nodes−1 of every system is a unit under [system]; a system is observed from its first to its
    /// last record (local times, used as given). Events are "Prob Started".
    /// </summary>
    public static FailureData Lanl(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        var header = Split(reader.ReadLine()!);
        int Col(string n) => header.IndexOf(n);
        int cSys = Col("System"), cNodes = Col("nodes"), cNode = Col("nodenumz"), cStart = Col("Prob Started");
        var events = new Dictionary<string, List<DateTime>>(StringComparer.Ordinal);
        var sysNodes = new Dictionary<string, int>(StringComparer.Ordinal);
        var sysSpan = new Dictionary<string, (DateTime Min, DateTime Max)>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var f = Split(line);
            if (f.Count <= cStart || !DateTime.TryParseExact(f[cStart], "M/d/yyyy H:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
            {
                continue;
            }
            var sys = f[cSys];
            // System 17's 126 records carry no node number: they cannot be attributed to a unit and are skipped.
            if (!int.TryParse(f[cNode], NumberStyles.Integer, CultureInfo.InvariantCulture, out var node))
            {
                continue;
            }
            var n = int.TryParse(f[cNodes], NumberStyles.Integer, CultureInfo.InvariantCulture, out var nn) ? nn : 0;
            sysNodes[sys] = Math.Max(sysNodes.GetValueOrDefault(sys), Math.Max(n, node + 1));
            sysSpan[sys] = sysSpan.TryGetValue(sys, out var s) ? (t < s.Min ? t : s.Min, t > s.Max ? t : s.Max) : (t, t);
            var id = sys + "/" + node.ToString(CultureInfo.InvariantCulture);
            if (!events.TryGetValue(id, out var l))
            {
                events[id] = l = [];
            }
            l.Add(t);
        }
        var units = new List<Unit>();
        foreach (var (sys, n) in sysNodes)
        {
            for (var i = 0; i < n; i++)
            {
                units.Add(new Unit(sys + "/" + i.ToString(CultureInfo.InvariantCulture), [sys], sysSpan[sys].Min, sysSpan[sys].Max));
            }
        }
        return new FailureData("LANL nodes (node within system)", units, events);
    }

    /// <summary>
    /// OLCF Alpine: by rack (unit = rack under [SSC]) or by enclosure (unit = rack:enclosure under [SSC, rack], every
    /// enclosure that appears anywhere in the file). Observed over the whole file's span; times converted to UTC.
    /// </summary>
    public static FailureData Olcf(string path, bool byEnclosure)
    {
        var lines = File.ReadAllLines(path);
        var header = Split(lines[0]);
        int cT = header.IndexOf("Timestamp"), cSsc = header.IndexOf("SSC"), cRack = header.IndexOf("Rack id"), cEnc = header.IndexOf("Unique enclosure");
        var events = new Dictionary<string, List<DateTime>>(StringComparer.Ordinal);
        var paths = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var f = Split(line);
            var t = DateTimeOffset.ParseExact(f[cT], "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture).UtcDateTime;
            var rack = "rack" + f[cRack];
            var id = byEnclosure ? rack + ":enc" + f[cEnc] : rack;
            paths[id] = byEnclosure ? ["ssc" + f[cSsc], rack] : ["ssc" + f[cSsc]];
            if (!events.TryGetValue(id, out var l))
            {
                events[id] = l = [];
            }
            l.Add(t);
        }
        var start = new DateTime(2019, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var end = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var units = paths.Select(p => new Unit(p.Key, p.Value, start, end)).ToList();
        return new FailureData(byEnclosure ? "OLCF Alpine enclosures (enclosure within rack within SSC)" : "OLCF Alpine racks (rack within SSC)", units, events);
    }

    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var sb = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var ch in line)
        {
            if (ch == '"')
            {
                quoted = !quoted;
            }
            else if (ch == ',' && !quoted)
            {
                fields.Add(sb.ToString());
                sb.Clear();
            }
            else
            {
                sb.Append(ch);
            }
        }
        fields.Add(sb.ToString().TrimEnd('\r'));
        return fields;
    }
}
