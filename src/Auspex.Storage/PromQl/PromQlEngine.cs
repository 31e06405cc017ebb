using System.Globalization;
using Auspex.Core.Series;

namespace Auspex.Storage.PromQl;

/// <summary>
/// Evaluates the PromQL subset of <see cref="PromQlParser"/> with Prometheus 2.x semantics: an instant selector takes,
/// at each step t, the latest sample in [t − lookback, t]; a range selector <c>x[d]</c> the samples in [t − d, t];
/// <c>rate</c>/<c>increase</c> correct counter resets and extrapolate towards the window's ends as Prometheus'
/// <c>extrapolatedRate</c> does; a range query evaluates at start, start + step, … ≤ end. Operators and functions other
/// than <c>last_over_time</c> drop the metric name. Each node is evaluated once for all steps.
/// </summary>
public sealed class PromQlEngine(IPromSeriesSource source, PromQlOptions? options = null)
{
    private readonly PromQlOptions _options = options ?? new PromQlOptions();

    /// <summary>Evaluates <paramref name="query"/> at every step from <paramref name="start"/> to <paramref name="end"/>; the result is a matrix.</summary>
    public async Task<PromQueryResult> RangeQueryAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellationToken = default)
    {
        if (step <= TimeSpan.Zero)
        {
            throw new PromQlException("zero or negative query resolution step widths are not accepted. Try a positive integer");
        }
        if (end < start)
        {
            throw new PromQlException("end timestamp must not be before start time");
        }
        var s = start.ToUnixTimeMilliseconds();
        var e = end.ToUnixTimeMilliseconds();
        var stepMs = (long)step.TotalMilliseconds;
        if (stepMs <= 0)
        {
            throw new PromQlException("zero or negative query resolution step widths are not accepted. Try a positive integer");
        }
        if ((e - s) / stepMs > _options.MaxPointsPerSeries)
        {
            throw new PromQlException(string.Create(CultureInfo.InvariantCulture,
                $"exceeded maximum resolution of {_options.MaxPointsPerSeries:N0} points per timeseries. Try decreasing the query resolution (?step=XX)"));
        }
        var expr = PromQlParser.Parse(query);
        if (expr.Type == PromValueType.Matrix)
        {
            throw new PromQlException("invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
        }
        var steps = new long[(e - s) / stepMs + 1];
        for (var k = 0; k < steps.Length; k++)
        {
            steps[k] = s + (k * stepMs);
        }
        var ctx = new Context(steps, _options);
        await ctx.FetchAsync(expr, source, cancellationToken).ConfigureAwait(false);
        var value = ctx.Eval(expr);
        var series = value is ScalarValue sc
            ? [new StepSeries(Labels.Empty, sc.V, Full(steps.Length))]
            : ((VectorValue)value).Series;
        var result = new List<PromSeries>();
        long points = 0;
        foreach (var ser in series)
        {
            var count = 0;
            foreach (var h in ser.Has)
            {
                count += h ? 1 : 0;
            }
            var pts = new List<PromPoint>(count);
            for (var k = 0; k < steps.Length; k++)
            {
                if (ser.Has[k])
                {
                    pts.Add(new PromPoint(steps[k], ser.V[k]));
                }
            }
            if (pts.Count > 0)
            {
                points += pts.Count;
                result.Add(new PromSeries(ser.Metric, pts));
            }
        }
        ctx.CheckOutput(points);
        result.Sort((a, b) => CompareLabels(a.Metric, b.Metric));
        return new PromQueryResult("matrix", result);
    }

    /// <summary>Evaluates <paramref name="query"/> at one time: a vector, a scalar, or (for a bare range selector) a matrix.</summary>
    public async Task<PromQueryResult> InstantQueryAsync(string query, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var expr = PromQlParser.Parse(query);
        var t = at.ToUnixTimeMilliseconds();
        var ctx = new Context([t], _options);
        await ctx.FetchAsync(expr, source, cancellationToken).ConfigureAwait(false);
        if (expr is MatrixSelector ms)
        {
            var data = ctx.Data(ms.Selector);
            var list = new List<PromSeries>();
            long points = 0;
            foreach (var d in data)
            {
                var lo = LowerBound(d.T, t - (long)ms.Range.TotalMilliseconds);
                var hi = UpperBound(d.T, t);
                if (hi > lo)
                {
                    var pts = new List<PromPoint>(hi - lo);
                    for (var j = lo; j < hi; j++)
                    {
                        pts.Add(new PromPoint(d.T[j], d.V[j]));
                    }
                    points += pts.Count;
                    list.Add(new PromSeries(d.Metric, pts));
                }
            }
            ctx.CheckOutput(points);
            list.Sort((a, b) => CompareLabels(a.Metric, b.Metric));
            return new PromQueryResult("matrix", list);
        }
        var value = ctx.Eval(expr);
        if (value is ScalarValue sc)
        {
            return new PromQueryResult("scalar", [], new PromPoint(t, sc.V[0]));
        }
        var vec = ((VectorValue)value).Series.Where(s => s.Has[0]).Select(s => new PromSeries(s.Metric, [new PromPoint(t, s.V[0])])).ToList();
        vec.Sort((a, b) => CompareLabels(a.Metric, b.Metric));
        return new PromQueryResult("vector", vec);
    }

    /// <summary>Prometheus' label order: pair by pair, name then value; a prefix sorts first.</summary>
    public static int CompareLabels(Labels a, Labels b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var n = Math.Min(a.Count, b.Count);
        for (var i = 0; i < n; i++)
        {
            var c = string.CompareOrdinal(a[i].Key, b[i].Key);
            if (c != 0)
            {
                return c;
            }
            c = string.CompareOrdinal(a[i].Value, b[i].Value);
            if (c != 0)
            {
                return c;
            }
        }
        return a.Count.CompareTo(b.Count);
    }

    private static bool[] Full(int n)
    {
        var b = new bool[n];
        Array.Fill(b, true);
        return b;
    }

    /// <summary>First index with T ≥ t.</summary>
    private static int LowerBound(long[] ts, long t)
    {
        int lo = 0, hi = ts.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ts[mid] < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>First index with T &gt; t.</summary>
    private static int UpperBound(long[] ts, long t)
    {
        int lo = 0, hi = ts.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ts[mid] <= t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private abstract class Value;

    private sealed class ScalarValue(double[] v) : Value
    {
        public double[] V { get; } = v;
    }

    private sealed class VectorValue(List<StepSeries> series) : Value
    {
        public List<StepSeries> Series { get; } = series;
    }

    private sealed record StepSeries(Labels Metric, double[] V, bool[] Has);

    private sealed record RawSeries(Labels Metric, long[] T, double[] V);

    private sealed record RollupData(Labels Metric, RollupSeries Data);

    private sealed class Context(long[] steps, PromQlOptions options)
    {
        private static readonly HashSet<string> RollupFunctions = new(StringComparer.Ordinal)
        {
            "sum_over_time", "avg_over_time", "count_over_time", "min_over_time", "max_over_time", "last_over_time",
        };

        private readonly Dictionary<VectorSelector, List<RawSeries>> _data = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<VectorSelector, TimeSpan> _rollupWidth = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<VectorSelector, List<RollupData>> _rollups = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<VectorSelector, FunctionCall> _streamCalls = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<FunctionCall, List<StepSeries>> _streamed = new(ReferenceEqualityComparer.Instance);
        private long _samples;

        public List<RawSeries> Data(VectorSelector vs) => _data[vs];

        public void CheckOutput(long points)
        {
            if (points > options.MaxSamples)
            {
                throw new PromQlException(PromQlException.Execution, string.Create(CultureInfo.InvariantCulture,
                    $"the result holds {points:N0} points, more than the limit of {options.MaxSamples:N0}; shorten the range, increase the step or narrow the selectors"));
            }
        }

        public async Task FetchAsync(PromExpr root, IPromSeriesSource src, CancellationToken ct)
        {
            var wanted = new List<(VectorSelector Selector, long Window)>();
            Collect(root, wanted, src is IPromRollupSource && options.UseRollups, src is IPromStreamSource && options.StreamRangeFunctions);
            var matched = 0;
            foreach (var (vs, _) in wanted)
            {
                matched += (await src.FindSeriesAsync(vs.Matchers, ct).ConfigureAwait(false)).Count;
                if (matched > options.MaxSeries)
                {
                    throw new PromQlException(PromQlException.Execution, string.Create(CultureInfo.InvariantCulture,
                        $"the query's selectors match more than {options.MaxSeries:N0} series (the limit); narrow them, e.g. with more label matchers"));
                }
            }
            foreach (var (vs, window) in wanted)
            {
                if (_rollupWidth.TryGetValue(vs, out var width))
                {
                    var stepMs = steps.Length > 1 ? steps[1] - steps[0] : 0;
                    var rolled = await ((IPromRollupSource)src).ReadRollupsAsync(vs.Matchers, steps[0] - window, steps[^1], width, steps[0], stepMs, window, ct).ConfigureAwait(false);
                    var rl = new List<RollupData>(rolled.Count);
                    foreach (var d in rolled)
                    {
                        _samples += d.Buckets.Length + d.RawT.Length;
                        CheckSamples();
                        rl.Add(new RollupData(d.Key.Labels.With("__name__", d.Key.Metric), d));
                    }
                    _rollups[vs] = rl;
                    continue;
                }
                if (_streamCalls.TryGetValue(vs, out var call))
                {
                    // Evaluated per series while the source streams it: no arrays of every series' samples.
                    var visitor = new RangeVisitor(this, call, window, call.Args.Count == 2 ? ((ScalarValue)Eval(call.Args[0])).V : null);
                    await ((IPromStreamSource)src).StreamArraysAsync(vs.Matchers, steps[0] - window, steps[^1], visitor, ct).ConfigureAwait(false);
                    _streamed[call] = visitor.Output();
                    continue;
                }
                if (src is IPromArraySource arrays)
                {
                    var typed = await arrays.ReadArraysAsync(vs.Matchers, steps[0] - window, steps[^1], ct).ConfigureAwait(false);
                    var tl = new List<RawSeries>(typed.Count);
                    foreach (var d in typed)
                    {
                        _samples += d.T.Length;
                        CheckSamples();
                        tl.Add(new RawSeries(d.Key.Labels.With("__name__", d.Key.Metric), d.T, d.V));
                    }
                    _data[vs] = tl;
                    continue;
                }
                var from = DateTimeOffset.FromUnixTimeMilliseconds(steps[0] - window);
                var to = DateTimeOffset.FromUnixTimeMilliseconds(steps[^1]);
                var read = await src.ReadAsync(vs.Matchers, from, to, ct).ConfigureAwait(false);
                var list = new List<RawSeries>(read.Count);
                foreach (var d in read)
                {
                    _samples += d.Samples.Count;
                    CheckSamples();
                    var t = new long[d.Samples.Count];
                    var v = new double[d.Samples.Count];
                    for (var j = 0; j < t.Length; j++)
                    {
                        t[j] = d.Samples[j].At.ToUnixTimeMilliseconds();
                        v[j] = d.Samples[j].Value;
                    }
                    list.Add(new RawSeries(d.Key.Labels.With("__name__", d.Key.Metric), t, v));
                }
                _data[vs] = list;
            }
        }

        public long[] Steps => steps;

        /// <summary>Counts samples loaded by a streamed read (from any thread) against the limit.</summary>
        public void AddSamples(int n)
        {
            if (Interlocked.Add(ref _samples, n) > options.MaxSamples)
            {
                CheckSamples();
            }
        }

        private void CheckSamples()
        {
            if (_samples > options.MaxSamples)
            {
                throw new PromQlException(PromQlException.Execution, string.Create(CultureInfo.InvariantCulture,
                    $"query processing would load more than {options.MaxSamples:N0} samples (the limit); shorten the range or the range selectors, or narrow the selectors"));
            }
        }

        private void Collect(PromExpr e, List<(VectorSelector, long)> into, bool rollups, bool stream)
        {
            switch (e)
            {
                case VectorSelector vs:
                    into.Add((vs, (long)options.LookbackDelta.TotalMilliseconds));
                    break;
                case MatrixSelector ms:
                    into.Add((ms.Selector, (long)ms.Range.TotalMilliseconds));
                    break;
                case FunctionCall f:
                    if (rollups && f.Args.Count == 1 && f.Args[0] is MatrixSelector m && RollupFunctions.Contains(f.Name) && RollupWidth((long)m.Range.TotalMilliseconds) is { } width)
                    {
                        _rollupWidth[m.Selector] = width;
                    }
                    else if (stream && f.Args[^1] is MatrixSelector sm && (f.Args.Count == 1 || f.Args[0] is NumberLiteral))
                    {
                        _streamCalls[sm.Selector] = f;
                    }
                    foreach (var a in f.Args)
                    {
                        Collect(a, into, rollups, stream);
                    }
                    break;
                case Aggregation a:
                    Collect(a.Expr, into, rollups, stream);
                    break;
                case BinaryExpr b:
                    Collect(b.Left, into, rollups, stream);
                    Collect(b.Right, into, rollups, stream);
                    break;
                case NegateExpr n:
                    Collect(n.Expr, into, rollups, stream);
                    break;
            }
        }

        /// <summary>
        /// The widest bucket (1 h, else 5 min) that the range, the first step and the step are all whole multiples of,
        /// so each window [t − d, t] is exactly whole buckets [t − d, t) plus the instant t; null when none is.
        /// </summary>
        private TimeSpan? RollupWidth(long range)
        {
            var stepMs = steps.Length > 1 ? steps[1] - steps[0] : 0;
            foreach (var w in (ReadOnlySpan<long>)[3_600_000, 300_000])
            {
                if (range > 0 && range % w == 0 && steps[0] % w == 0 && stepMs % w == 0)
                {
                    return TimeSpan.FromMilliseconds(w);
                }
            }
            return null;
        }

        public Value Eval(PromExpr e) => e switch
        {
            NumberLiteral n => Constant(n.Value),
            VectorSelector vs => Instant(vs),
            FunctionCall f => Call(f),
            Aggregation a => Aggregate(a),
            BinaryExpr b => Binary(b),
            NegateExpr n => Negate(n),
            _ => throw new PromQlException($"a {e.GetType().Name} cannot be evaluated here (at character {e.Position + 1})"),
        };

        private ScalarValue Constant(double v)
        {
            var arr = new double[steps.Length];
            Array.Fill(arr, v);
            return new ScalarValue(arr);
        }

        private VectorValue Instant(VectorSelector vs)
        {
            var lookback = (long)options.LookbackDelta.TotalMilliseconds;
            var output = new List<StepSeries>();
            foreach (var d in _data[vs])
            {
                var v = new double[steps.Length];
                var has = new bool[steps.Length];
                var hi = 0; // samples with T <= t
                for (var k = 0; k < steps.Length; k++)
                {
                    var t = steps[k];
                    while (hi < d.T.Length && d.T[hi] <= t)
                    {
                        hi++;
                    }
                    if (hi > 0 && d.T[hi - 1] >= t - lookback)
                    {
                        v[k] = d.V[hi - 1];
                        has[k] = true;
                    }
                }
                output.Add(new StepSeries(d.Metric, v, has));
            }
            return new VectorValue(output);
        }

        /// <summary>
        /// A range function over rollups. A step t at or before the series' first stale bucket takes the buckets in
        /// [t − d, t) and the raw sample at exactly t (Prometheus' window is closed at both ends; the bucket starting at
        /// t − d holds the sample at t − d). A later step is evaluated from raw samples, as without rollups.
        /// </summary>
        private VectorValue CallRollup(FunctionCall f, MatrixSelector ms, List<RollupData> data)
        {
            var range = (long)ms.Range.TotalMilliseconds;
            var keepName = f.Name == "last_over_time";
            var output = new List<StepSeries>();
            foreach (var rd in data)
            {
                var d = rd.Data;
                var v = new double[steps.Length];
                var has = new bool[steps.Length];
                int bLo = 0, bHi = 0;
                var any = false;
                for (var k = 0; k < steps.Length; k++)
                {
                    var t = steps[k];
                    var windowStart = t - range;
                    if (t > d.StaleFromMs)
                    {
                        var lo = LowerBound(d.RawT, windowStart);
                        var hi = UpperBound(d.RawT, t);
                        if (hi > lo && RangeFunctions.TryApply(f.Name, new ReadOnlySpan<long>(d.RawT, lo, hi - lo), new ReadOnlySpan<double>(d.RawV, lo, hi - lo), windowStart, t, 0, out var r))
                        {
                            v[k] = r;
                            has[k] = true;
                            any = true;
                        }
                        continue;
                    }
                    while (bLo < d.Buckets.Length && d.Buckets[bLo] < windowStart)
                    {
                        bLo++;
                    }
                    if (bHi < bLo)
                    {
                        bHi = bLo;
                    }
                    while (bHi < d.Buckets.Length && d.Buckets[bHi] < t)
                    {
                        bHi++;
                    }
                    var p = LowerBound(d.RawT, t);
                    var hasPoint = p < d.RawT.Length && d.RawT[p] == t;
                    var point = hasPoint ? d.RawV[p] : 0;
                    long n = hasPoint ? 1 : 0;
                    for (var b = bLo; b < bHi; b++)
                    {
                        n += d.Count[b];
                    }
                    if (n == 0)
                    {
                        continue;
                    }
                    double result;
                    switch (f.Name)
                    {
                        case "count_over_time":
                            result = n;
                            break;
                        case "last_over_time":
                            result = hasPoint ? point : d.Last[bHi - 1];
                            break;
                        case "min_over_time":
                            result = hasPoint ? point : double.PositiveInfinity;
                            for (var b = bLo; b < bHi; b++)
                            {
                                result = Math.Min(result, d.Min[b]);
                            }
                            break;
                        case "max_over_time":
                            result = hasPoint ? point : double.NegativeInfinity;
                            for (var b = bLo; b < bHi; b++)
                            {
                                result = Math.Max(result, d.Max[b]);
                            }
                            break;
                        default: // sum_over_time, avg_over_time
                            double sum = 0, c = 0;
                            for (var b = bLo; b <= bHi; b++)
                            {
                                var x = b < bHi ? d.Sum[b] : point;
                                var s2 = sum + x;
                                c += Math.Abs(sum) >= Math.Abs(x) ? (sum - s2) + x : (x - s2) + sum;
                                sum = s2;
                            }
                            sum = double.IsInfinity(sum) ? sum : sum + c;
                            result = f.Name == "sum_over_time" ? sum : sum / n;
                            break;
                    }
                    v[k] = result;
                    has[k] = true;
                    any = true;
                }
                if (any)
                {
                    output.Add(new StepSeries(keepName ? rd.Metric : rd.Metric.Without("__name__"), v, has));
                }
            }
            return new VectorValue(Merge(output, f));
        }

        private VectorValue Call(FunctionCall f)
        {
            var ms = (MatrixSelector)f.Args[^1];
            if (_rollups.TryGetValue(ms.Selector, out var rollupData))
            {
                return CallRollup(f, ms, rollupData);
            }
            if (_streamed.TryGetValue(f, out var streamed))
            {
                return new VectorValue(Merge(streamed, f));
            }
            double[]? param = f.Args.Count == 2 ? ((ScalarValue)Eval(f.Args[0])).V : null;
            var range = (long)ms.Range.TotalMilliseconds;
            var keepName = f.Name == "last_over_time";
            var output = new List<StepSeries>();
            foreach (var d in _data[ms.Selector])
            {
                if (RangeSteps(f.Name, steps, range, d.T, d.V, param, out var v, out var has))
                {
                    output.Add(new StepSeries(keepName ? d.Metric : d.Metric.Without("__name__"), v, has));
                }
            }
            return new VectorValue(Merge(output, f));
        }

        /// <summary>
        /// A range function at every step over one series' samples (in time order): the window [t − range, t] of each
        /// step t; false when no step has a value. The one loop both the array and the streamed paths run.
        /// </summary>
        private static bool RangeSteps(string name, long[] steps, long range, ReadOnlySpan<long> t, ReadOnlySpan<double> vals, double[]? param, out double[] v, out bool[] has)
        {
            v = new double[steps.Length];
            has = new bool[steps.Length];
            int lo = 0, hi = 0;
            var any = false;
            for (var k = 0; k < steps.Length; k++)
            {
                var at = steps[k];
                var windowStart = at - range;
                while (lo < t.Length && t[lo] < windowStart)
                {
                    lo++;
                }
                if (hi < lo)
                {
                    hi = lo;
                }
                while (hi < t.Length && t[hi] <= at)
                {
                    hi++;
                }
                if (hi == lo)
                {
                    continue;
                }
                if (RangeFunctions.TryApply(name, t[lo..hi], vals[lo..hi], windowStart, at, param?[k] ?? 0, out var r))
                {
                    v[k] = r;
                    has[k] = true;
                    any = true;
                }
            }
            return any;
        }

        /// <summary>Evaluates one range function per series as the source streams it; thread-safe (series may arrive concurrently).</summary>
        private sealed class RangeVisitor(Context ctx, FunctionCall f, long range, double[]? param) : IRawSeriesVisitor
        {
            private readonly bool _keepName = f.Name == "last_over_time";
            private StepSeries?[] _out = [];

            public void Begin(int seriesCount) => _out = new StepSeries?[seriesCount];

            public void Visit(int index, SeriesKey key, ReadOnlySpan<long> t, ReadOnlySpan<double> v)
            {
                ctx.AddSamples(t.Length);
                if (RangeSteps(f.Name, ctx.Steps, range, t, v, param, out var vals, out var has))
                {
                    var metric = key.Labels.With("__name__", key.Metric);
                    _out[index] = new StepSeries(_keepName ? metric : metric.Without("__name__"), vals, has);
                }
            }

            /// <summary>The series with a value at some step, in the source's series order (as the array path lists them).</summary>
            public List<StepSeries> Output() => [.. _out.Where(s => s is not null).Select(s => s!)];
        }

        private VectorValue Aggregate(Aggregation a)
        {
            var input = ((VectorValue)Eval(a.Expr)).Series;
            var groups = new Dictionary<Labels, int>();
            var keys = new List<Labels>();
            var member = new int[input.Count];
            var grouping = new HashSet<string>(a.Grouping, StringComparer.Ordinal);
            for (var i = 0; i < input.Count; i++)
            {
                var m = input[i].Metric;
                var key = a.Without
                    ? Labels.From(m.Where(p => p.Key != "__name__" && !grouping.Contains(p.Key)))
                    : Labels.From(m.Where(p => grouping.Contains(p.Key)));
                if (!groups.TryGetValue(key, out var g))
                {
                    g = keys.Count;
                    groups[key] = g;
                    keys.Add(key);
                }
                member[i] = g;
            }
            var n = steps.Length;
            var acc = new double[keys.Count * n];
            var count = new int[keys.Count * n];
            for (var i = 0; i < input.Count; i++)
            {
                var s = input[i];
                var baseIdx = member[i] * n;
                for (var k = 0; k < n; k++)
                {
                    if (!s.Has[k])
                    {
                        continue;
                    }
                    var x = s.V[k];
                    var idx = baseIdx + k;
                    var c = count[idx]++;
                    switch (a.Op)
                    {
                        case "sum" or "avg":
                            acc[idx] += x;
                            break;
                        case "min":
                            if (c == 0 || x < acc[idx] || double.IsNaN(acc[idx]))
                            {
                                acc[idx] = x;
                            }
                            break;
                        case "max":
                            if (c == 0 || x > acc[idx] || double.IsNaN(acc[idx]))
                            {
                                acc[idx] = x;
                            }
                            break;
                    }
                }
            }
            var output = new List<StepSeries>(keys.Count);
            for (var g = 0; g < keys.Count; g++)
            {
                var v = new double[n];
                var has = new bool[n];
                for (var k = 0; k < n; k++)
                {
                    var c = count[(g * n) + k];
                    if (c == 0)
                    {
                        continue;
                    }
                    has[k] = true;
                    var x = acc[(g * n) + k];
                    v[k] = a.Op switch
                    {
                        "avg" => x / c,
                        "count" => c,
                        _ => x,
                    };
                }
                output.Add(new StepSeries(keys[g], v, has));
            }
            return new VectorValue(output);
        }

        private Value Binary(BinaryExpr b)
        {
            var left = Eval(b.Left);
            var right = Eval(b.Right);
            if (left is ScalarValue ls && right is ScalarValue rs)
            {
                var r = new double[steps.Length];
                for (var k = 0; k < r.Length; k++)
                {
                    r[k] = Arith(b.Op, ls.V[k], rs.V[k]);
                }
                return new ScalarValue(r);
            }
            var vectorLeft = left is VectorValue;
            var vec = (VectorValue)(vectorLeft ? left : right);
            var sc = (ScalarValue)(vectorLeft ? right : left);
            var output = new List<StepSeries>(vec.Series.Count);
            foreach (var s in vec.Series)
            {
                var v = new double[steps.Length];
                for (var k = 0; k < v.Length; k++)
                {
                    if (s.Has[k])
                    {
                        v[k] = vectorLeft ? Arith(b.Op, s.V[k], sc.V[k]) : Arith(b.Op, sc.V[k], s.V[k]);
                    }
                }
                output.Add(new StepSeries(s.Metric.Without("__name__"), v, s.Has));
            }
            return new VectorValue(Merge(output, b));
        }

        private Value Negate(NegateExpr n)
        {
            var inner = Eval(n.Expr);
            if (inner is ScalarValue sv)
            {
                return new ScalarValue(sv.V.Select(x => -x).ToArray());
            }
            var output = ((VectorValue)inner).Series.Select(s => new StepSeries(s.Metric.Without("__name__"), s.V.Select(x => -x).ToArray(), s.Has)).ToList();
            return new VectorValue(Merge(output, n));
        }

        private static double Arith(char op, double l, double r) => op switch
        {
            '+' => l + r,
            '-' => l - r,
            '*' => l * r,
            '/' => l / r,
            '%' => l % r, // the sign of the dividend, like Go's math.Mod
            _ => Math.Pow(l, r),
        };

        /// <summary>
        /// Series that became identical after dropping the metric name are one series when they never overlap in time;
        /// when they do, the query is ambiguous and fails as in Prometheus.
        /// </summary>
        private List<StepSeries> Merge(List<StepSeries> series, PromExpr at)
        {
            var byLabels = new Dictionary<Labels, StepSeries>();
            List<StepSeries>? merged = null;
            foreach (var s in series)
            {
                if (!byLabels.TryGetValue(s.Metric, out var existing))
                {
                    byLabels[s.Metric] = s;
                    continue;
                }
                merged ??= [];
                var v = (double[])existing.V.Clone();
                var has = (bool[])existing.Has.Clone();
                for (var k = 0; k < steps.Length; k++)
                {
                    if (!s.Has[k])
                    {
                        continue;
                    }
                    if (has[k])
                    {
                        throw new PromQlException(PromQlException.Execution,
                            $"vector cannot contain metrics with the same labelset: {s.Metric} (from the expression at character {at.Position + 1}; the series differ only by metric name)");
                    }
                    v[k] = s.V[k];
                    has[k] = true;
                }
                byLabels[s.Metric] = new StepSeries(s.Metric, v, has);
            }
            return merged is null ? series : [.. byLabels.Values];
        }
    }
}
