namespace Auspex.Bench.Nab;

/// <summary>The NAB score of one profile at one threshold.</summary>
internal sealed record NabScore(string Profile, double Threshold, double Raw, double Normalized, int WindowsDetected, int Windows, int FalsePositiveRows);

/// <summary>
/// NAB v1.x scoring as the data README describes it: per-row weights, earliest detection per window, summed
/// false positives, the corpus-wide threshold sweep (ties keep the higher threshold) and normalisation
/// against the null and perfect detectors.
/// </summary>
internal static class NabScorer
{
    private static readonly double MaxTp = NabFile.Sigmoid(-1);

    /// <summary>The swept (oracle) threshold: best corpus raw score over every distinct score value.</summary>
    public static NabScore Sweep(IReadOnlyList<NabFile> corpus, IReadOnlyList<double[]> scores, NabProfile w)
    {
        var pts = new List<(double Score, int File, int Row)>();
        for (var f = 0; f < corpus.Count; f++)
        {
            for (var i = corpus[f].FirstScored; i < corpus[f].Rows; i++)
            {
                pts.Add((scores[f][i], f, i));
            }
        }
        pts.Sort((a, b) => b.Score.CompareTo(a.Score));
        var tpScale = w.TruePositive / MaxTp;
        var windows = corpus.Sum(c => c.ScoredWindows.Length);
        var best = new Dictionary<(int, int), double>();
        var fpSum = 0.0;
        var winSum = -w.FalseNegative * windows;
        var cur = double.PositiveInfinity;
        var bestThreshold = double.PositiveInfinity;
        var bestRaw = fpSum + winSum;
        foreach (var (s, f, i) in pts)
        {
            if (s != cur)
            {
                Consider(cur, fpSum + winSum);
                cur = s;
            }
            var k = corpus[f].Window[i];
            if (k < 0)
            {
                fpSum += corpus[f].Position[i] * w.FalsePositive;
            }
            else
            {
                var v = corpus[f].Position[i] * tpScale;
                var old = best.TryGetValue((f, k), out var o) ? o : -w.FalseNegative;
                if (v > old)
                {
                    winSum += v - old;
                    best[(f, k)] = v;
                }
            }
        }
        Consider(cur, fpSum + winSum);
        // NAB labels "nothing detected" 1.1
        return At(corpus, scores, w, double.IsPositiveInfinity(bestThreshold) ? 1.1 : bestThreshold);

        void Consider(double threshold, double raw)
        {
            if (raw > bestRaw)
            {
                bestRaw = raw;
                bestThreshold = threshold;
            }
        }
    }

    /// <summary>The score at a fixed threshold (detection: score ≥ threshold).</summary>
    public static NabScore At(IReadOnlyList<NabFile> corpus, IReadOnlyList<double[]> scores, NabProfile w, double threshold)
    {
        var tpScale = w.TruePositive / MaxTp;
        var total = 0.0;
        var detected = 0;
        var windows = 0;
        var fpRows = 0;
        for (var f = 0; f < corpus.Count; f++)
        {
            var c = corpus[f];
            var best = c.ScoredWindows.ToDictionary(k => k, _ => -w.FalseNegative);
            for (var i = c.FirstScored; i < c.Rows; i++)
            {
                if (scores[f][i] < threshold)
                {
                    continue;
                }
                var k = c.Window[i];
                if (k < 0)
                {
                    total += c.Position[i] * w.FalsePositive;
                    fpRows++;
                }
                else
                {
                    best[k] = Math.Max(best[k], c.Position[i] * tpScale);
                }
            }
            total += best.Values.Sum();
            detected += best.Values.Count(v => v > -w.FalseNegative);
            windows += c.ScoredWindows.Length;
        }
        var nullRaw = -w.FalseNegative * windows;
        var perfect = w.TruePositive * corpus.Sum(c => c.WindowCount);
        return new NabScore(w.Name, threshold, total, 100 * (total - nullRaw) / (perfect - nullRaw), detected, windows, fpRows);
    }
}
