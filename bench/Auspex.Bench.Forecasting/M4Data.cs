using System.Globalization;

namespace Auspex.Bench.Forecasting;

/// <summary>Reads the M4 wide CSV files (quoted header V1..; id then values, right-padded with empty cells).</summary>
internal static class M4Data
{
    public static List<(string Id, double[] Values)> Read(string path)
    {
        var result = new List<(string, double[])>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var cells = line.Split(',');
            var id = cells[0].Trim('"');
            var values = new List<double>(cells.Length);
            for (var i = 1; i < cells.Length; i++)
            {
                var c = cells[i].Trim('"');
                if (c.Length > 0)
                {
                    values.Add(double.Parse(c, CultureInfo.InvariantCulture));
                }
            }
            result.Add((id, values.ToArray()));
        }
        return result;
    }
}
