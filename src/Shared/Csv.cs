using System.Text;

namespace Auspex.Internal;

/// <summary>Shared source, compiled into Auspex.Scoring and Auspex.Orchestration (each its own internal copy). Minimal RFC 4180 line splitting (quoted fields, doubled quotes); one record per line.</summary>
internal static class Csv
{
    public static List<string> Split(string line)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    sb.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    sb.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
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

    public static IEnumerable<(int Line, string Text)> Lines(TextReader reader)
    {
        var n = 0;
        while (reader.ReadLine() is { } line)
        {
            n++;
            if (line.Trim().Length > 0)
            {
                yield return (n, line);
            }
        }
    }
}
