using Auspex.Forecasting.Internal;

namespace Auspex.Forecasting.Tests.Internal;

// The Gbrt of commit 6370e2f (before the session-9 speed-up), kept verbatim as the reference the optimised Gbrt must
// reproduce bit for bit (GbrtEquivalenceTests). Only the class name differs.
#pragma warning disable
/// <summary>
/// Gradient-boosted regression trees with histogram splits (the LightGBM recipe, depth-wise): every feature is cut into
/// at most 255 bins at quantiles of its values (at the midpoints between distinct values when there are few), a node's
/// split is the best (feature, bin) by the second-order gain G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) found from
/// per-bin gradient sums (the larger child's histogram is the parent's minus the smaller's), trees are grown to a depth
/// with a minimum leaf size on a seeded sample of rows and features, shrunk by the learning rate, and boosting stops
/// early when the loss on a validation set stops improving (the trees after the best round are dropped).
/// </summary>
internal sealed class ReferenceGbrt
{
    private readonly Tree[] _trees;

    private ReferenceGbrt(double baseScore, Tree[] trees, int features, int bestRound, double[] validationLoss)
    {
        BaseScore = baseScore;
        _trees = trees;
        Features = features;
        BestRound = bestRound;
        ValidationLoss = validationLoss;
    }

    public double BaseScore { get; }

    public int Features { get; }

    public int Trees => _trees.Length;

    /// <summary>Rounds kept (the best validation round, or all without a validation set).</summary>
    public int BestRound { get; }

    /// <summary>Validation loss after each round (empty without a validation set).</summary>
    public IReadOnlyList<double> ValidationLoss { get; }

    /// <summary>Split feature and threshold of the first tree's root (tests); null when it is a leaf.</summary>
    internal (int Feature, double Threshold)? RootSplit => _trees.Length > 0 && _trees[0].Feature[0] >= 0 ? (_trees[0].Feature[0], _trees[0].Threshold[0]) : null;

    public double Predict(ReadOnlySpan<double> x)
    {
        var sum = BaseScore;
        foreach (var t in _trees)
        {
            sum += t.Predict(x);
        }
        return sum;
    }

    /// <summary>Trains on rows <c>x[r]</c> (each of the same length) with targets <paramref name="y"/>; optional validation rows for early stopping.</summary>
    public static ReferenceGbrt Train(double[][] x, double[] y, GbrtOptions o, double[][]? validX = null, double[]? validY = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        o.Validate();
        var n = x.Length;
        if (n == 0 || y.Length != n)
        {
            throw new ArgumentException("Gbrt needs at least one row and one target per row.");
        }
        var f = x[0].Length;
        var bins = new BinMapper(x, o.MaxBins);
        var bx = bins.Bin(x);
        var nv = validX?.Length ?? 0;
        var bv = nv > 0 ? bins.Bin(validX!) : null;
        var baseScore = o.Loss == GbrtLoss.Squared ? y.Average() : Quantile([.. y], o.Alpha);
        var pred = new double[n];
        Array.Fill(pred, baseScore);
        var vpred = new double[nv];
        Array.Fill(vpred, baseScore);
        var grad = new double[n];
        var rng = new Random(o.Seed);
        var trees = new List<Tree>();
        var losses = new List<double>();
        var best = double.PositiveInfinity;
        var bestRound = 0;
        var allRows = Enumerable.Range(0, n).ToArray();
        var rowCount = Math.Max(1, (int)Math.Round(o.RowFraction * n));
        var featCount = Math.Max(1, (int)Math.Ceiling(o.FeatureFraction * f));
        var builder = new TreeBuilder(bx, bins, o, f);
        for (var round = 0; round < o.Rounds; round++)
        {
            for (var i = 0; i < n; i++)
            {
                var r = pred[i] - y[i];
                grad[i] = o.Loss == GbrtLoss.Squared ? r : (r >= 0 ? 1 - o.Alpha : -o.Alpha);
            }
            int[] rows;
            if (rowCount < n)
            {
                rows = (int[])allRows.Clone();
                PartialShuffle(rows, rowCount, rng);
                rows = rows[..rowCount];
            }
            else
            {
                rows = (int[])allRows.Clone();
            }
            var feats = Enumerable.Range(0, f).ToArray();
            if (featCount < f)
            {
                PartialShuffle(feats, featCount, rng);
                feats = feats[..featCount];
                Array.Sort(feats);
            }
            var tree = builder.Build(rows, feats, grad, pred, y);
            trees.Add(tree);
            for (var i = 0; i < n; i++)
            {
                pred[i] += tree.PredictBinned(bx, i);
            }
            if (nv > 0)
            {
                var loss = 0.0;
                for (var i = 0; i < nv; i++)
                {
                    vpred[i] += tree.PredictBinned(bv!, i);
                    var e = validY![i] - vpred[i];
                    loss += o.Loss == GbrtLoss.Squared ? e * e : (e >= 0 ? o.Alpha * e : (o.Alpha - 1) * e);
                }
                loss /= nv;
                losses.Add(loss);
                if (bestRound == 0 || loss < best - 1e-12 * Math.Abs(best))
                {
                    best = loss;
                    bestRound = round + 1;
                }
                else if (round + 1 - bestRound >= o.EarlyStoppingRounds)
                {
                    break;
                }
            }
        }
        if (nv == 0)
        {
            bestRound = trees.Count;
        }
        return new ReferenceGbrt(baseScore, [.. trees.Take(bestRound)], f, bestRound, [.. losses]);
    }

    private static void PartialShuffle(int[] a, int k, Random rng)
    {
        for (var i = 0; i < k; i++)
        {
            var j = rng.Next(i, a.Length);
            (a[i], a[j]) = (a[j], a[i]);
        }
    }

    internal static double Quantile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return 0;
        }
        Array.Sort(values);
        var pos = p * (values.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, values.Length - 1);
        return values[lo] + (pos - lo) * (values[hi] - values[lo]);
    }

    /// <summary>Per-feature bin edges: bin b holds edges[b-1] &lt; x ≤ edges[b]; the last edge is +∞.</summary>
    internal sealed class BinMapper
    {
        private readonly double[][] _edges;

        public BinMapper(double[][] x, int maxBins)
        {
            var n = x.Length;
            var f = x[0].Length;
            _edges = new double[f][];
            // At most 200 000 rows (evenly strided, deterministic) decide the edges.
            var stride = Math.Max(1, n / 200_000);
            var sample = new double[(n + stride - 1) / stride];
            for (var j = 0; j < f; j++)
            {
                var c = 0;
                for (var i = 0; i < n; i += stride)
                {
                    sample[c++] = x[i][j];
                }
                var sorted = sample.AsSpan(0, c).ToArray();
                Array.Sort(sorted);
                var distinct = new List<double>();
                foreach (var v in sorted)
                {
                    if (distinct.Count == 0 || v > distinct[^1])
                    {
                        distinct.Add(v);
                    }
                }
                var edges = new List<double>();
                if (distinct.Count <= maxBins)
                {
                    for (var k = 0; k + 1 < distinct.Count; k++)
                    {
                        edges.Add(0.5 * (distinct[k] + distinct[k + 1]));
                    }
                }
                else
                {
                    for (var k = 1; k < maxBins; k++)
                    {
                        var v = sorted[(int)((long)k * (sorted.Length - 1) / maxBins)];
                        // Cut between v and the next distinct value above it.
                        var idx = distinct.BinarySearch(v);
                        if (idx >= 0 && idx + 1 < distinct.Count)
                        {
                            var e = 0.5 * (distinct[idx] + distinct[idx + 1]);
                            if (edges.Count == 0 || e > edges[^1])
                            {
                                edges.Add(e);
                            }
                        }
                    }
                }
                edges.Add(double.PositiveInfinity);
                _edges[j] = [.. edges];
            }
        }

        public int Bins(int feature) => _edges[feature].Length;

        public double UpperEdge(int feature, int bin) => _edges[feature][bin];

        public int BinOf(int feature, double v)
        {
            var e = _edges[feature];
            int lo = 0, hi = e.Length - 1;
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                if (v <= e[mid])
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }
            return lo;
        }

        /// <summary>Feature-major bins: [feature][row].</summary>
        public byte[][] Bin(double[][] x)
        {
            var f = _edges.Length;
            var result = new byte[f][];
            Parallel.For(0, f, j =>
            {
                var col = new byte[x.Length];
                for (var i = 0; i < x.Length; i++)
                {
                    col[i] = (byte)BinOf(j, x[i][j]);
                }
                result[j] = col;
            });
            return result;
        }
    }

    /// <summary>One tree as flat arrays; a node with <c>Feature = -1</c> is a leaf.</summary>
    internal sealed class Tree
    {
        public int[] Feature { get; private set; } = [];

        public int[] Bin { get; private set; } = [];

        public double[] Threshold { get; private set; } = [];

        public int[] Left { get; private set; } = [];

        public int[] Right { get; private set; } = [];

        public double[] Value { get; private set; } = [];

        private readonly List<(int F, int B, double T, int L, int R, double V)> _nodes = [];

        public int Add(int feature, int bin, double threshold, double value)
        {
            _nodes.Add((feature, bin, threshold, -1, -1, value));
            return _nodes.Count - 1;
        }

        public void Link(int node, int left, int right)
        {
            var n = _nodes[node];
            _nodes[node] = (n.F, n.B, n.T, left, right, n.V);
        }

        public void SetLeaf(int node, double value) => _nodes[node] = (-1, 0, 0, -1, -1, value);

        public void SetSplit(int node, int feature, int bin, double threshold)
        {
            var n = _nodes[node];
            _nodes[node] = (feature, bin, threshold, n.L, n.R, 0);
        }

        public void Freeze()
        {
            Feature = [.. _nodes.Select(n => n.F)];
            Bin = [.. _nodes.Select(n => n.B)];
            Threshold = [.. _nodes.Select(n => n.T)];
            Left = [.. _nodes.Select(n => n.L)];
            Right = [.. _nodes.Select(n => n.R)];
            Value = [.. _nodes.Select(n => n.V)];
        }

        public double Predict(ReadOnlySpan<double> x)
        {
            var k = 0;
            while (Feature[k] >= 0)
            {
                k = x[Feature[k]] <= Threshold[k] ? Left[k] : Right[k];
            }
            return Value[k];
        }

        public double PredictBinned(byte[][] bx, int row)
        {
            var k = 0;
            while (Feature[k] >= 0)
            {
                k = bx[Feature[k]][row] <= Bin[k] ? Left[k] : Right[k];
            }
            return Value[k];
        }
    }

    private sealed class TreeBuilder(byte[][] bx, BinMapper bins, GbrtOptions o, int features)
    {
        private const int BinCount = 256;

        public Tree Build(int[] rows, int[] feats, double[] grad, double[] pred, double[] y)
        {
            var tree = new Tree();
            var root = tree.Add(-1, 0, 0, 0);
            var (g, c) = Histogram(rows, 0, rows.Length, feats, grad);
            Grow(tree, root, rows, 0, rows.Length, 0, feats, grad, pred, y, g, c);
            tree.Freeze();
            return tree;
        }

        private void Grow(Tree tree, int node, int[] rows, int start, int end, int depth, int[] feats, double[] grad, double[] pred, double[] y, double[] hg, int[] hc)
        {
            var count = end - start;
            var gSum = 0.0;
            for (var i = start; i < end; i++)
            {
                gSum += grad[rows[i]];
            }
            if (depth >= o.MaxDepth || count < 2 * o.MinSamplesLeaf)
            {
                tree.SetLeaf(node, LeafValue(rows, start, end, gSum, pred, y));
                return;
            }
            var parentScore = gSum * gSum / (count + o.Lambda);
            var bestGain = 1e-12 * Math.Max(1, Math.Abs(parentScore));
            int bestF = -1, bestB = -1;
            foreach (var fIdx in feats)
            {
                var baseIdx = fIdx * BinCount;
                var nb = bins.Bins(fIdx);
                double gl = 0;
                var cl = 0;
                for (var b = 0; b < nb - 1; b++)
                {
                    gl += hg[baseIdx + b];
                    cl += hc[baseIdx + b];
                    var cr = count - cl;
                    if (cl < o.MinSamplesLeaf)
                    {
                        continue;
                    }
                    if (cr < o.MinSamplesLeaf)
                    {
                        break;
                    }
                    var gr = gSum - gl;
                    var gain = gl * gl / (cl + o.Lambda) + gr * gr / (cr + o.Lambda) - parentScore;
                    if (gain > bestGain)
                    {
                        bestGain = gain;
                        bestF = fIdx;
                        bestB = b;
                    }
                }
            }
            if (bestF < 0)
            {
                tree.SetLeaf(node, LeafValue(rows, start, end, gSum, pred, y));
                return;
            }
            // Partition rows in place: bin ≤ bestB to the left.
            var col = bx[bestF];
            int i0 = start, j0 = end - 1;
            while (i0 <= j0)
            {
                if (col[rows[i0]] <= bestB)
                {
                    i0++;
                }
                else
                {
                    (rows[i0], rows[j0]) = (rows[j0], rows[i0]);
                    j0--;
                }
            }
            var mid = i0;
            var left = tree.Add(-1, 0, 0, 0);
            var right = tree.Add(-1, 0, 0, 0);
            tree.SetSplit(node, bestF, bestB, bins.UpperEdge(bestF, bestB));
            tree.Link(node, left, right);
            // Histogram of the smaller child; the larger is the parent's minus it.
            var leftSmaller = mid - start <= end - mid;
            var (sg, sc) = leftSmaller ? Histogram(rows, start, mid, feats, grad) : Histogram(rows, mid, end, feats, grad);
            var lg = new double[hg.Length];
            var lc = new int[hc.Length];
            foreach (var fIdx in feats)
            {
                var baseIdx = fIdx * BinCount;
                for (var b = 0; b < BinCount; b++)
                {
                    lg[baseIdx + b] = hg[baseIdx + b] - sg[baseIdx + b];
                    lc[baseIdx + b] = hc[baseIdx + b] - sc[baseIdx + b];
                }
            }
            if (leftSmaller)
            {
                Grow(tree, left, rows, start, mid, depth + 1, feats, grad, pred, y, sg, sc);
                Grow(tree, right, rows, mid, end, depth + 1, feats, grad, pred, y, lg, lc);
            }
            else
            {
                Grow(tree, left, rows, start, mid, depth + 1, feats, grad, pred, y, lg, lc);
                Grow(tree, right, rows, mid, end, depth + 1, feats, grad, pred, y, sg, sc);
            }
        }

        private double LeafValue(int[] rows, int start, int end, double gSum, double[] pred, double[] y)
        {
            var count = end - start;
            if (count == 0)
            {
                return 0;
            }
            if (o.Loss == GbrtLoss.Squared)
            {
                return -o.LearningRate * gSum / (count + o.Lambda);
            }
            var residuals = new double[count];
            for (var i = start; i < end; i++)
            {
                residuals[i - start] = y[rows[i]] - pred[rows[i]];
            }
            return o.LearningRate * Quantile(residuals, o.Alpha);
        }

        private (double[] G, int[] C) Histogram(int[] rows, int start, int end, int[] feats, double[] grad)
        {
            var g = new double[features * BinCount];
            var c = new int[features * BinCount];
            void One(int fIdx)
            {
                var col = bx[fIdx];
                var baseIdx = fIdx * BinCount;
                for (var i = start; i < end; i++)
                {
                    var r = rows[i];
                    var b = baseIdx + col[r];
                    g[b] += grad[r];
                    c[b]++;
                }
            }
            if (end - start >= 16_384 && feats.Length > 1)
            {
                Parallel.ForEach(feats, One);
            }
            else
            {
                foreach (var fIdx in feats)
                {
                    One(fIdx);
                }
            }
            return (g, c);
        }
    }
}
#pragma warning restore
