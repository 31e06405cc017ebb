namespace Auspex.Bench.Nab;

/// <summary>
/// One data file prepared for scoring: probation, the window of each row and each row's unweighted
/// scaled-sigmoid position value (data README, "Weight of a row as a detection").
/// </summary>
internal sealed class NabFile
{
    public NabFile(string relativePath, IReadOnlyList<DateTime> timestamps, IReadOnlyList<(DateTime Start, DateTime End)> windows)
    {
        RelativePath = relativePath;
        var n = timestamps.Count;
        Rows = n;
        FirstScored = Probation(n);
        var indexOf = new Dictionary<DateTime, int>();
        for (var i = 0; i < n; i++)
        {
            indexOf.TryAdd(timestamps[i], i);
        }
        var spans = windows
            .Select(w => indexOf.TryGetValue(w.Start, out var a) && indexOf.TryGetValue(w.End, out var b)
                ? (a, b)
                : throw new InvalidDataException($"{relativePath}: window {w.Start:O}..{w.End:O} is not on a data timestamp"))
            .OrderBy(s => s.a)
            .ToList();
        WindowCount = spans.Count;
        Window = new int[n];
        Position = new double[n];
        Array.Fill(Window, -1);
        int? prevEnd = null;
        var prevWidth = 0.0;
        var k = 0;
        var i2 = 0;
        while (i2 < n)
        {
            if (k < spans.Count && i2 == spans[k].a)
            {
                var (lo, hi) = spans[k];
                var width = (double)(hi - lo + 1);
                for (var j = lo; j <= hi; j++)
                {
                    Window[j] = k;
                    Position[j] = Sigmoid(-(hi - j + 1) / width);
                }
                prevEnd = hi;
                prevWidth = width;
                k++;
                i2 = hi + 1;
                continue;
            }
            Position[i2] = prevEnd is int end ? Sigmoid(Math.Abs(end - i2) / Math.Max(prevWidth - 1, 1)) : -1;
            i2++;
        }
        ScoredWindows = Enumerable.Range(FirstScored, Math.Max(0, n - FirstScored)).Select(r => Window[r]).Where(w => w >= 0).Distinct().Order().ToArray();
    }

    public string RelativePath { get; }

    public int Rows { get; }

    public int FirstScored { get; }

    public int WindowCount { get; }

    /// <summary>Windows with at least one row after probation.</summary>
    public int[] ScoredWindows { get; }

    /// <summary>Window index of each row, −1 outside windows.</summary>
    public int[] Window { get; }

    /// <summary>σ(y) of each row (inside a window: the TP position; outside: the FP factor).</summary>
    public double[] Position { get; }

    public static int Probation(int n) => Math.Min((int)Math.Floor(0.15 * n), 750);

    /// <summary>NAB's scaled sigmoid: 2/(1+e^(5y)) − 1 for y ≤ 3, −1 beyond.</summary>
    public static double Sigmoid(double y) => y > 3 ? -1 : (2.0 / (1.0 + Math.Exp(5.0 * y))) - 1.0;
}
