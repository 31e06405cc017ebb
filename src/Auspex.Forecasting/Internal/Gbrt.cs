namespace Auspex.Forecasting.Internal;

/// <summary>Loss of <see cref="Gbrt"/>.</summary>
internal enum GbrtLoss
{
    /// <summary>Squared error; leaves are the (L2-shrunk) mean residual.</summary>
    Squared,

    /// <summary>Pinball loss at <see cref="GbrtOptions.Alpha"/>; leaves are renewed to the α-quantile of their residuals (as LightGBM).</summary>
    Quantile,
}

/// <summary>Hyperparameters of <see cref="Gbrt"/>; defaults documented.</summary>
internal sealed class GbrtOptions
{
    public GbrtLoss Loss { get; init; } = GbrtLoss.Squared;

    /// <summary>Quantile for <see cref="GbrtLoss.Quantile"/>. Default 0.5 (the median).</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>Shrinkage per tree. Default 0.05.</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Maximum tree depth (depth-wise growth). Default 6.</summary>
    public int MaxDepth { get; init; } = 6;

    /// <summary>Minimum training rows in a leaf. Default 20.</summary>
    public int MinSamplesLeaf { get; init; } = 20;

    /// <summary>Fraction of the features each tree may split on (sampled per tree). Default 1.</summary>
    public double FeatureFraction { get; init; } = 1.0;

    /// <summary>Fraction of the rows each tree is grown on (sampled per tree, without replacement). Default 1.</summary>
    public double RowFraction { get; init; } = 1.0;

    /// <summary>Maximum boosting rounds. Default 500.</summary>
    public int Rounds { get; init; } = 500;

    /// <summary>Stop when the validation loss has not improved for this many rounds (needs a validation set). Default 30.</summary>
    public int EarlyStoppingRounds { get; init; } = 30;

    /// <summary>Histogram bins per feature (at most 256). Default 255.</summary>
    public int MaxBins { get; init; } = 255;

    /// <summary>L2 penalty on leaf values (squared loss). Default 0.</summary>
    public double Lambda { get; init; }

    /// <summary>Seed of the row and feature sampling.</summary>
    public int Seed { get; init; } = 1;

    public void Validate()
    {
        if (!(LearningRate > 0 && LearningRate <= 1) || MaxDepth < 1 || MinSamplesLeaf < 1 || !(FeatureFraction > 0 && FeatureFraction <= 1)
            || !(RowFraction > 0 && RowFraction <= 1) || Rounds < 1 || EarlyStoppingRounds < 1 || MaxBins is < 2 or > 256 || !(Lambda >= 0)
            || !(Alpha > 0 && Alpha < 1))
        {
            throw new ArgumentException("GbrtOptions out of range: 0 < LearningRate ≤ 1, MaxDepth ≥ 1, MinSamplesLeaf ≥ 1, 0 < FeatureFraction, RowFraction ≤ 1, Rounds ≥ 1, EarlyStoppingRounds ≥ 1, 2 ≤ MaxBins ≤ 256, Lambda ≥ 0, 0 < Alpha < 1.");
        }
    }
}

/// <summary>
/// Gradient-boosted regression trees with histogram splits (the LightGBM recipe, depth-wise): every feature is cut into
/// at most 255 bins at quantiles of its values (at the midpoints between distinct values when there are few), a node's
/// split is the best (feature, bin) by the second-order gain G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) found from
/// per-bin gradient sums (the larger child's histogram is the parent's minus the smaller's), trees are grown to a depth
/// with a minimum leaf size on a seeded sample of rows and features, shrunk by the learning rate, and boosting stops
/// early when the loss on a validation set stops improving (the trees after the best round are dropped).
/// <para>
/// Implementation (session 9): the binned rows are stored row-major, histograms are reused per depth instead of
/// allocated per node, a leaf's quantile is found by selection instead of a sort, and for the pinball loss at a dyadic α
/// (0.5, 0.25, …) a bin's gradient sum is computed from its counts, which is exact — every partial sum of those
/// gradients is representable — and so equal to the row-by-row sum. Each of these leaves every floating-point
/// operation that reaches the model unchanged: the trees, predictions and validation losses are those of the plain
/// implementation bit for bit (GbrtEquivalenceTests). A <see cref="BinnedRows"/> set can be shared by several
/// trainings on the same rows (seeds of a bag), saving the binning.
/// </para>
/// </summary>
internal sealed class Gbrt
{
    private readonly Tree[] _trees;

    private Gbrt(double baseScore, Tree[] trees, int features, int bestRound, double[] validationLoss)
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
    public static Gbrt Train(double[][] x, double[] y, GbrtOptions o, double[][]? validX = null, double[]? validY = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        o.Validate();
        if (x.Length == 0 || y.Length != x.Length)
        {
            throw new ArgumentException("Gbrt needs at least one row and one target per row.");
        }
        var data = BinnedRows.Create(x, o.MaxBins);
        var valid = validX is { Length: > 0 } ? data.Bins.BinRows(validX) : null;
        return Train(data, y, o, valid, validY);
    }

    /// <summary>
    /// Trains on already binned rows (<see cref="BinnedRows.Create"/> with <paramref name="o"/>'s MaxBins) and
    /// optional validation rows binned by the same mapper. <paramref name="parallel"/> splits large histograms over the
    /// cores; it does not change the result.
    /// </summary>
    internal static Gbrt Train(BinnedRows data, double[] y, GbrtOptions o, BinnedRows? valid, double[]? validY, bool parallel = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(y);
        o.Validate();
        var n = data.Count;
        if (n == 0 || y.Length != n)
        {
            throw new ArgumentException("Gbrt needs at least one row and one target per row.");
        }
        if (data.Bins.MaxBins != o.MaxBins)
        {
            throw new ArgumentException("The rows were binned with another MaxBins.");
        }
        var f = data.Features;
        var nv = valid?.Count ?? 0;
        if (nv > 0 && (validY is null || validY.Length != nv))
        {
            throw new ArgumentException("One validation target per validation row is needed.");
        }
        var baseScore = o.Loss == GbrtLoss.Squared ? y.Average() : Quantile([.. y], o.Alpha);
        var pred = new double[n];
        Array.Fill(pred, baseScore);
        var vpred = new double[nv];
        Array.Fill(vpred, baseScore);
        var grad = new double[n];
        var positive = new byte[n];
        var rng = new Random(o.Seed);
        var trees = new List<Tree>();
        var losses = new List<double>();
        var best = double.PositiveInfinity;
        var bestRound = 0;
        var allRows = new int[n];
        for (var i = 0; i < n; i++)
        {
            allRows[i] = i;
        }
        var shuffled = new int[n];
        var rowCount = Math.Max(1, (int)Math.Round(o.RowFraction * n));
        var rows = new int[rowCount];
        var featCount = Math.Max(1, (int)Math.Ceiling(o.FeatureFraction * f));
        var allFeats = Enumerable.Range(0, f).ToArray();
        var featBuffer = new int[f];
        var builder = new TreeBuilder(data, o, parallel);
        var rb = data.Rows;
        for (var round = 0; round < o.Rounds; round++)
        {
            if (o.Loss == GbrtLoss.Squared)
            {
                for (var i = 0; i < n; i++)
                {
                    grad[i] = pred[i] - y[i];
                }
            }
            else
            {
                for (var i = 0; i < n; i++)
                {
                    var r = pred[i] - y[i];
                    var pos = r >= 0;
                    grad[i] = pos ? 1 - o.Alpha : -o.Alpha;
                    positive[i] = pos ? (byte)1 : (byte)0;
                }
            }
            // The same draws as cloning 0..n-1 and shuffling its first rowCount places.
            Array.Copy(allRows, shuffled, n);
            if (rowCount < n)
            {
                PartialShuffle(shuffled, rowCount, rng);
            }
            Array.Copy(shuffled, rows, rowCount);
            int[] feats;
            if (featCount < f)
            {
                Array.Copy(allFeats, featBuffer, f);
                PartialShuffle(featBuffer, featCount, rng);
                feats = featBuffer[..featCount];
                Array.Sort(feats);
            }
            else
            {
                feats = allFeats;
            }
            var tree = builder.Build(rows, feats, grad, positive, pred, y);
            trees.Add(tree);
            for (var i = 0; i < n; i++)
            {
                pred[i] += tree.PredictBinned(rb, i * f);
            }
            if (nv > 0)
            {
                var vb = valid!.Rows;
                var loss = 0.0;
                for (var i = 0; i < nv; i++)
                {
                    vpred[i] += tree.PredictBinned(vb, i * f);
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
        return new Gbrt(baseScore, [.. trees.Take(bestRound)], f, bestRound, [.. losses]);
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

    /// <summary>
    /// <see cref="Quantile"/> by selection (expected linear time): the same order statistics, so the same value. The
    /// span is reordered.
    /// </summary>
    internal static double SelectQuantile(Span<double> values, double p)
    {
        if (values.Length == 0)
        {
            return 0;
        }
        var pos = p * (values.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, values.Length - 1);
        var vlo = Select(values, lo);
        var vhi = vlo;
        if (hi != lo)
        {
            // Everything right of lo is ≥ values[lo] after the selection: the next order statistic is their minimum.
            vhi = double.PositiveInfinity;
            foreach (var v in values[(lo + 1)..])
            {
                if (v < vhi)
                {
                    vhi = v;
                }
            }
        }
        return vlo + (pos - lo) * (vhi - vlo);
    }

    /// <summary>Reorders <paramref name="a"/> so that a[k] is its k-th smallest value, smaller or equal ones left of it and larger or equal ones right.</summary>
    private static double Select(Span<double> a, int k)
    {
        int lo = 0, hi = a.Length - 1;
        while (hi > lo)
        {
            if (hi - lo < 16)
            {
                for (var i = lo + 1; i <= hi; i++)
                {
                    var v = a[i];
                    var j = i - 1;
                    while (j >= lo && a[j] > v)
                    {
                        a[j + 1] = a[j];
                        j--;
                    }
                    a[j + 1] = v;
                }
                return a[k];
            }
            // Median of three as pivot, then a three-way partition (values equal to the pivot end in the middle).
            var mid = lo + ((hi - lo) >> 1);
            double x = a[lo], y = a[mid], z = a[hi];
            var pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
            int lt = lo, i0 = lo, gt = hi;
            while (i0 <= gt)
            {
                var v = a[i0];
                if (v < pivot)
                {
                    (a[lt], a[i0]) = (a[i0], a[lt]);
                    lt++;
                    i0++;
                }
                else if (v > pivot)
                {
                    (a[gt], a[i0]) = (a[i0], a[gt]);
                    gt--;
                }
                else
                {
                    i0++;
                }
            }
            if (k < lt)
            {
                hi = lt - 1;
            }
            else if (k > gt)
            {
                lo = gt + 1;
            }
            else
            {
                return a[k];
            }
        }
        return a[k];
    }

    /// <summary>Per-feature bin edges: bin b holds edges[b-1] &lt; x ≤ edges[b]; the last edge is +∞.</summary>
    internal sealed class BinMapper
    {
        private readonly double[][] _edges;

        public BinMapper(double[][] x, int maxBins)
        {
            MaxBins = maxBins;
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

        /// <summary>The MaxBins the edges were made for.</summary>
        public int MaxBins { get; }

        public int FeatureCount => _edges.Length;

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

        /// <summary>Row-major bins of <paramref name="x"/> by these edges.</summary>
        public BinnedRows BinRows(double[][] x)
        {
            ArgumentNullException.ThrowIfNull(x);
            var f = _edges.Length;
            var rows = new byte[(long)x.Length * f];
            for (var i = 0; i < x.Length; i++)
            {
                var r = x[i];
                if (r.Length != f)
                {
                    throw new ArgumentException("Every row needs the same number of features.");
                }
                var off = i * f;
                for (var j = 0; j < f; j++)
                {
                    rows[off + j] = (byte)BinOf(j, r[j]);
                }
            }
            return new BinnedRows(this, rows, x.Length);
        }
    }

    /// <summary>Rows cut into bins, row-major (row r's bins at [r·F, (r+1)·F)), with the mapper that cut them.</summary>
    internal sealed class BinnedRows
    {
        internal BinnedRows(BinMapper bins, byte[] rows, int count)
        {
            Bins = bins;
            Rows = rows;
            Count = count;
        }

        public BinMapper Bins { get; }

        public byte[] Rows { get; }

        public int Count { get; }

        public int Features => Bins.FeatureCount;

        /// <summary>Bin edges from <paramref name="x"/> itself (as <see cref="Train(double[][], double[], GbrtOptions, double[][], double[])"/> does) and its binned rows.</summary>
        public static BinnedRows Create(double[][] x, int maxBins)
        {
            ArgumentNullException.ThrowIfNull(x);
            if (x.Length == 0)
            {
                throw new ArgumentException("Gbrt needs at least one row and one target per row.");
            }
            return new BinMapper(x, maxBins).BinRows(x);
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
            var c = _nodes.Count;
            Feature = new int[c];
            Bin = new int[c];
            Threshold = new double[c];
            Left = new int[c];
            Right = new int[c];
            Value = new double[c];
            for (var i = 0; i < c; i++)
            {
                (Feature[i], Bin[i], Threshold[i], Left[i], Right[i], Value[i]) = _nodes[i];
            }
            _nodes.Clear();
        }

        public double Predict(ReadOnlySpan<double> x)
        {
            var k = 0;
            var feature = Feature;
            while (feature[k] >= 0)
            {
                k = x[feature[k]] <= Threshold[k] ? Left[k] : Right[k];
            }
            return Value[k];
        }

        /// <summary>The leaf value for the binned row at <paramref name="offset"/> of row-major bins.</summary>
        public double PredictBinned(byte[] rows, int offset)
        {
            var k = 0;
            var feature = Feature;
            while (feature[k] >= 0)
            {
                k = rows[offset + feature[k]] <= Bin[k] ? Left[k] : Right[k];
            }
            return Value[k];
        }
    }

    private sealed class TreeBuilder
    {
        private const int BinCount = 256;
        private readonly BinnedRows _data;
        private readonly GbrtOptions _o;
        private readonly bool _parallel;
        private readonly int _features;

        // Pinball loss at a dyadic α: gradients 1 − α and −α, both multiples of 2^−10, so every partial sum of them is
        // exact and a bin's sum is (1 − α)·positives − α·negatives, computed exactly from the counts.
        private readonly bool _exact;

        // Histograms per depth, two per level (the smaller child's, and the larger one's by subtraction).
        private readonly Histogram[][] _pool;
        private double[] _residuals = [];

        public TreeBuilder(BinnedRows data, GbrtOptions o, bool parallel)
        {
            _data = data;
            _o = o;
            _parallel = parallel;
            _features = data.Features;
            var scaled = o.Alpha * 1024;
            _exact = o.Loss == GbrtLoss.Quantile && scaled == Math.Floor(scaled) && data.Count < (1 << 30);
            _pool = new Histogram[o.MaxDepth + 1][];
            for (var d = 0; d <= o.MaxDepth; d++)
            {
                _pool[d] = [new Histogram(_features * BinCount, _exact), new Histogram(_features * BinCount, _exact)];
            }
        }

        private sealed class Histogram(int size, bool exact)
        {
            /// <summary>Generic: gradient sum per bin.</summary>
            public readonly double[] G = exact ? [] : new double[size];

            /// <summary>Generic: row count per bin.</summary>
            public readonly int[] C = exact ? [] : new int[size];

            /// <summary>Exact: count (low 32 bits) and positive-gradient count (high 32 bits) per bin.</summary>
            public readonly long[] P = exact ? new long[size] : [];
        }

        public Tree Build(int[] rows, int[] feats, double[] grad, byte[] positive, double[] pred, double[] y)
        {
            var tree = new Tree();
            var root = tree.Add(-1, 0, 0, 0);
            var h = _pool[0][0];
            Fill(h, rows, 0, rows.Length, feats, grad, positive);
            Grow(tree, root, rows, 0, rows.Length, 0, feats, grad, positive, pred, y, h);
            tree.Freeze();
            return tree;
        }

        private double ExactSum(long positives, long count) => (1 - _o.Alpha) * positives - _o.Alpha * (count - positives);

        private void Grow(Tree tree, int node, int[] rows, int start, int end, int depth, int[] feats, double[] grad, byte[] positive, double[] pred, double[] y, Histogram hist)
        {
            var o = _o;
            var count = end - start;
            var gSum = 0.0;
            if (_exact)
            {
                long pos = 0;
                for (var i = start; i < end; i++)
                {
                    pos += positive[rows[i]];
                }
                gSum = ExactSum(pos, count);
            }
            else
            {
                for (var i = start; i < end; i++)
                {
                    gSum += grad[rows[i]];
                }
            }
            if (depth >= o.MaxDepth || count < 2 * o.MinSamplesLeaf)
            {
                tree.SetLeaf(node, LeafValue(rows, start, end, gSum, pred, y));
                return;
            }
            var parentScore = gSum * gSum / (count + o.Lambda);
            var bestGain = 1e-12 * Math.Max(1, Math.Abs(parentScore));
            int bestF = -1, bestB = -1;
            var bins = _data.Bins;
            foreach (var fIdx in feats)
            {
                var baseIdx = fIdx * BinCount;
                var nb = bins.Bins(fIdx);
                double gl = 0;
                var cl = 0;
                for (var b = 0; b < nb - 1; b++)
                {
                    if (_exact)
                    {
                        var p = hist.P[baseIdx + b];
                        var c = (int)(p & 0xFFFFFFFF);
                        gl += ExactSum(p >> 32, c);
                        cl += c;
                    }
                    else
                    {
                        gl += hist.G[baseIdx + b];
                        cl += hist.C[baseIdx + b];
                    }
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
            var rb = _data.Rows;
            var f = _features;
            int i0 = start, j0 = end - 1;
            while (i0 <= j0)
            {
                if (rb[rows[i0] * f + bestF] <= bestB)
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
            // Histogram of the smaller child; the larger is the parent's minus it. Children that will be leaves (at the
            // depth limit, or too few rows to split) need none.
            var leftSmaller = mid - start <= end - mid;
            var small = _pool[depth + 1][0];
            var large = _pool[depth + 1][1];
            var needed = depth + 1 < o.MaxDepth && (mid - start >= 2 * o.MinSamplesLeaf || end - mid >= 2 * o.MinSamplesLeaf);
            if (needed)
            {
                Fill(small, rows, leftSmaller ? start : mid, leftSmaller ? mid : end, feats, grad, positive);
            }
            // Bins past a feature's last are never filled nor read.
            foreach (var fIdx in needed ? feats : [])
            {
                var baseIdx = fIdx * BinCount;
                var nb = bins.Bins(fIdx);
                if (_exact)
                {
                    var hp = hist.P.AsSpan(baseIdx, nb);
                    var sp = small.P.AsSpan(baseIdx, nb);
                    var lp = large.P.AsSpan(baseIdx, nb);
                    for (var b = 0; b < nb; b++)
                    {
                        lp[b] = hp[b] - sp[b];
                    }
                }
                else
                {
                    for (var b = 0; b < nb; b++)
                    {
                        large.G[baseIdx + b] = hist.G[baseIdx + b] - small.G[baseIdx + b];
                        large.C[baseIdx + b] = hist.C[baseIdx + b] - small.C[baseIdx + b];
                    }
                }
            }
            if (leftSmaller)
            {
                Grow(tree, left, rows, start, mid, depth + 1, feats, grad, positive, pred, y, small);
                Grow(tree, right, rows, mid, end, depth + 1, feats, grad, positive, pred, y, large);
            }
            else
            {
                Grow(tree, left, rows, start, mid, depth + 1, feats, grad, positive, pred, y, large);
                Grow(tree, right, rows, mid, end, depth + 1, feats, grad, positive, pred, y, small);
            }
        }

        private double LeafValue(int[] rows, int start, int end, double gSum, double[] pred, double[] y)
        {
            var o = _o;
            var count = end - start;
            if (count == 0)
            {
                return 0;
            }
            if (o.Loss == GbrtLoss.Squared)
            {
                return -o.LearningRate * gSum / (count + o.Lambda);
            }
            if (_residuals.Length < count)
            {
                _residuals = new double[Math.Max(count, 2 * _residuals.Length)];
            }
            var residuals = _residuals.AsSpan(0, count);
            for (var i = start; i < end; i++)
            {
                residuals[i - start] = y[rows[i]] - pred[rows[i]];
            }
            return o.LearningRate * SelectQuantile(residuals, o.Alpha);
        }

        /// <summary>Fills <paramref name="h"/> (for the features in <paramref name="feats"/>) from rows [start, end), in row order.</summary>
        private void Fill(Histogram h, int[] rows, int start, int end, int[] feats, double[] grad, byte[] positive)
        {
            if (_parallel && end - start >= 16_384 && feats.Length > 1)
            {
                // Features split over the cores; each bin is still summed in row order by one thread.
                var parts = Math.Min(Environment.ProcessorCount, feats.Length);
                if (parts > 1)
                {
                    Parallel.For(0, parts, p =>
                    {
                        var lo = feats.Length * p / parts;
                        var hi = feats.Length * (p + 1) / parts;
                        FillRange(h, rows, start, end, feats.AsSpan(lo, hi - lo), grad, positive);
                    });
                    return;
                }
            }
            FillRange(h, rows, start, end, feats, grad, positive);
        }

        private void FillRange(Histogram h, int[] rows, int start, int end, ReadOnlySpan<int> feats, double[] grad, byte[] positive)
        {
            var rb = _data.Rows;
            var f = _features;
            if (_exact)
            {
                var p = h.P;
                foreach (var fIdx in feats)
                {
                    Array.Clear(p, fIdx * BinCount, _data.Bins.Bins(fIdx));
                }
                for (var i = start; i < end; i++)
                {
                    var r = rows[i];
                    var add = 1L | ((long)positive[r] << 32);
                    var off = r * f;
                    foreach (var fIdx in feats)
                    {
                        p[(fIdx * BinCount) + rb[off + fIdx]] += add;
                    }
                }
            }
            else
            {
                var g = h.G;
                var c = h.C;
                foreach (var fIdx in feats)
                {
                    Array.Clear(g, fIdx * BinCount, _data.Bins.Bins(fIdx));
                    Array.Clear(c, fIdx * BinCount, _data.Bins.Bins(fIdx));
                }
                for (var i = start; i < end; i++)
                {
                    var r = rows[i];
                    var gr = grad[r];
                    var off = r * f;
                    foreach (var fIdx in feats)
                    {
                        var b = (fIdx * BinCount) + rb[off + fIdx];
                        g[b] += gr;
                        c[b]++;
                    }
                }
            }
        }
    }
}
