using System.Globalization;
using System.Text;
using System.Text.Json;
using Auspex.Testing;

namespace Auspex.EndToEnd.Tests;

/// <summary>The real <c>auspex simulate</c> (table, json, png) and <c>auspex whatif</c> processes.</summary>
public sealed class SimulateWhatIfCliTests
{
    private static Task<(int Code, string Out, string Err)> Run(string dir, params string[] args) => CliProcess.RunAsync(dir, args);

    /// <summary>Runs the CLI and checks that it refused: exit <paramref name="code"/> (any non-zero when null), <paramref name="needle"/> on stderr.</summary>
    private static async Task Refused(string dir, int? code, string needle, params string[] args)
    {
        var (c, _, e) = await Run(dir, args);
        if (code is { } want)
        {
            Assert.Equal(want, c);
        }
        else
        {
            Assert.NotEqual(0, c);
        }
        Assert.Contains(needle, e, StringComparison.Ordinal);
    }

    /// <summary>Two days of a daily wave at 5-minute steps with a sharp afternoon peak on the second day.</summary>
    private static string WriteTrace(string dir)
    {
        var sb = new StringBuilder("ds,y\n");
        var t0 = new DateTimeOffset(2024, 3, 4, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 2 * 288; i++)
        {
            var t = t0.AddMinutes(5 * i);
            var y = 1000 + 800 * Math.Sin(2 * Math.PI * (t.Hour + t.Minute / 60.0 - 6) / 24) + (i > 288 + 170 && i < 288 + 190 ? 1500 : 0);
            sb.Append(CultureInfo.InvariantCulture, $"{t:yyyy-MM-ddTHH:mm:ssZ},{Math.Max(0, y):0}\n");
        }
        var path = Path.Combine(dir, "wave.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    [Fact]
    public async Task Simulate_UserCsv_PrintsJsonPerPolicy_AndWritesAPngPlot()
    {
        using var dir = new TempDirectory();
        var trace = WriteTrace(dir.Path);
        var (code, json, err) = await Run(dir.Path, "simulate", "--trace", trace, "--policies", "hpa,static", "--warm-up", "12h", "-o", "json", "--plot", "plot.png");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(["hpa", "static"], doc.RootElement.EnumerateArray().Select(e => e.GetProperty("policy").GetString()));
        foreach (var field in new[] { "slo_violation_minutes", "cost", "mean_slack", "scaling_actions" })
        {
            Assert.All(doc.RootElement.EnumerateArray(), e => Assert.Equal(JsonValueKind.Number, e.GetProperty(field).ValueKind));
        }
        // Static provisioning for the peak never scales; the HPA does.
        Assert.Equal(0, doc.RootElement[1].GetProperty("scaling_actions").GetInt32());
        Assert.True(doc.RootElement[0].GetProperty("scaling_actions").GetInt32() > 0);
        var png = await File.ReadAllBytesAsync(Path.Combine(dir.Path, "plot.png"));
        Assert.True(png.Length > 5000, $"plot of {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        // IHDR: width and height big-endian at bytes 16..23.
        Assert.Equal(1400, (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19]);
        Assert.Equal(700, (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23]);
        Assert.Contains("wrote the plot", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_OutputPng_PrintsTheTable_AndNamesThePlotAfterTheTrace()
    {
        using var dir = new TempDirectory();
        var trace = WriteTrace(dir.Path);
        var (code, table, err) = await Run(dir.Path, "simulate", "--trace", trace, "--policies", "static", "--warm-up", "12h", "-o", "png");
        Assert.True(code == 0, err);
        Assert.Contains("SLO-VIOLATION-MIN", table, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir.Path, "auspex-simulate-wave.png")), err);
    }

    [Fact]
    public async Task Simulate_PreemptionNoticeAndRescaling_AreWorldOptions_AndBadValuesAreNamed()
    {
        using var dir = new TempDirectory();
        var trace = WriteTrace(dir.Path);
        var (code, json, err) = await Run(dir.Path, "simulate", "--trace", trace, "--policies", "hpa", "--warm-up", "12h", "-o", "json", "--preemption-notice", "2m", "--rescale", "superposition");
        Assert.True(code == 0, err);
        using (var doc = JsonDocument.Parse(json))
        {
            Assert.Equal("hpa", doc.RootElement[0].GetProperty("policy").GetString());
        }
        await Refused(dir.Path, 2, "--preemption-notice 'soon'", "simulate", "--trace", trace, "--preemption-notice", "soon");
        await Refused(dir.Path, 1, "preemption notice must be between 0 and 1 h", "simulate", "--trace", trace, "--policies", "static", "--warm-up", "12h", "--preemption-notice", "2h");
        await Refused(dir.Path, null, "cubic", "simulate", "--trace", trace, "--rescale", "cubic");
    }

    [Fact]
    public async Task Simulate_ResizeSemanticsAndServing_AreWorldOptions_AndBadValuesAreNamed()
    {
        using var dir = new TempDirectory();
        var trace = WriteTrace(dir.Path);
        var (code, json, err) = await Run(dir.Path, "simulate", "--trace", trace, "--policies", "oracle,oracle:hold=0", "--warm-up", "12h", "-o", "json", "--resize-semantics", "latest", "--resize-serving", "in-force");
        Assert.True(code == 0, err);
        using (var doc = JsonDocument.Parse(json))
        {
            Assert.Equal("oracle:hold=0", doc.RootElement[1].GetProperty("policy").GetString());
        }
        await Refused(dir.Path, null, "sometimes", "simulate", "--trace", trace, "--resize-semantics", "sometimes");
        await Refused(dir.Path, null, "larger", "simulate", "--trace", trace, "--resize-serving", "larger");
    }

    [Fact]
    public async Task Simulate_ReplicaOverheadAndSuperpositionWindow_AreWorldOptions_AndBadValuesAreNamed()
    {
        using var dir = new TempDirectory();
        var trace = WriteTrace(dir.Path);
        async Task<double> Cost(params string[] extra)
        {
            var (code, json, err) = await Run(dir.Path, ["simulate", "--trace", trace, "--policies", "hpa", "--warm-up", "12h", "-o", "json", .. extra]);
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement[0].GetProperty("cost").GetDouble();
        }
        // The HPA keeps default-size replicas, so an overhead of 0.5 charges half a replica more per replica-hour: × 1.5.
        var plain = await Cost();
        Assert.Equal(plain * 1.5, await Cost("--replica-overhead", "0.5"), 6);
        // Superposed (k ≈ 290 here), a ±30-interval level carries only a third of the 100-minute burst at ×k, the rest
        // goes to the √k part: the HPA needs fewer replicas than with a ±1-interval level that scales all of it by k.
        var narrow = await Cost("--rescale", "superposition", "--superposition-window", "1");
        var wide = await Cost("--rescale", "superposition", "--superposition-window", "30");
        Assert.True(wide < narrow, $"cost with a ±30 level {wide} vs ±1 {narrow}");
        await Refused(dir.Path, 2, "--replica-overhead -1", "simulate", "--trace", trace, "--replica-overhead", "-1");
        await Refused(dir.Path, 2, "--superposition-window 0", "simulate", "--trace", trace, "--superposition-window", "0");
    }

    [Fact]
    public async Task Simulate_FrontierPlot_WritesAPng_ForTheHpaTargets_AndBadPathsAreNamed()
    {
        using var dir = new TempDirectory();
        var trace = WriteTrace(dir.Path);
        var (code, json, err) = await Run(dir.Path, "simulate", "--trace", trace, "--policies", "hpa:target=0.5,hpa,hpa:target=0.9,static,oracle",
            "--warm-up", "12h", "-o", "json", "--frontier-plot", "frontier.png");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(json);
        var rows = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(["hpa:target=0.5", "hpa", "hpa:target=0.9", "static", "oracle"], rows.Select(e => e.GetProperty("policy").GetString()));
        // A higher target runs fewer replicas: less slack, less cost.
        var slack = rows.Take(3).Select(e => e.GetProperty("mean_slack").GetDouble()).ToList();
        var cost = rows.Take(3).Select(e => e.GetProperty("cost").GetDouble()).ToList();
        Assert.True(slack[0] > slack[1] && slack[1] > slack[2], string.Join(", ", slack));
        Assert.True(cost[0] > cost[1] && cost[1] > cost[2], string.Join(", ", cost));
        var png = await File.ReadAllBytesAsync(Path.Combine(dir.Path, "frontier.png"));
        Assert.True(png.Length > 5000, $"frontier plot of {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal(1200, (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19]);
        Assert.Contains("wrote the frontier to", err, StringComparison.Ordinal);

        // A missing directory and a directory as the file are refused before the run, naming the option and the path.
        var missing = Path.Combine(dir.Path, "missing-dir", "f.png");
        var (c1, _, e1) = await Run(dir.Path, "simulate", "--trace", trace, "--policies", "hpa", "--warm-up", "12h", "--frontier-plot", missing);
        Assert.Equal(1, c1);
        Assert.Contains($"--frontier-plot: cannot write the plot to {missing}: the directory {Path.Combine(dir.Path, "missing-dir")} does not exist", e1, StringComparison.Ordinal);
        Assert.DoesNotContain("simulating", e1, StringComparison.Ordinal);
        var (c2, _, e2) = await Run(dir.Path, "simulate", "--trace", trace, "--policies", "hpa", "--warm-up", "12h", "--frontier-plot", dir.Path);
        Assert.Equal(1, c2);
        Assert.Contains("it is a directory", e2, StringComparison.Ordinal);
        // A bad hpa key names the policy and the part.
        var (c3, _, e3) = await Run(dir.Path, "simulate", "--trace", trace, "--policies", "hpa:target=1.5", "--warm-up", "12h");
        Assert.Equal(1, c3);
        Assert.Contains("policy hpa:target=1.5: target must be in (0, 1]", e3, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_ZeroGaps_MarksLongZeroRunsMissing_AndBadValuesAreNamed()
    {
        using var dir = new TempDirectory();
        // The wave with one hour of exact zeros on the second day (12 five-minute intervals): an outage of the source.
        var lines = File.ReadAllLines(WriteTrace(dir.Path)).ToList();
        for (var i = 1 + 288 + 100; i < 1 + 288 + 112; i++)
        {
            lines[i] = lines[i].Split(',')[0] + ",0";
        }
        var trace = Path.Combine(dir.Path, "outage.csv");
        File.WriteAllLines(trace, lines);
        async Task<(double Missing, string Err)> MissingMinutes(params string[] extra)
        {
            var (code, json, err) = await Run(dir.Path, ["simulate", "--trace", trace, "--policies", "hpa", "--warm-up", "12h", "-o", "json", .. extra]);
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(json);
            return (doc.RootElement[0].GetProperty("missing_minutes").GetDouble(), err);
        }
        Assert.Equal(0, (await MissingMinutes()).Missing);
        var (missing, note) = await MissingMinutes("--zero-gaps", "30m");
        Assert.Equal(60, missing);
        Assert.Contains("12 intervals in runs of zeros of at least 30 min marked missing", note, StringComparison.Ordinal);
        // A run shorter than the threshold stays data.
        Assert.Equal(0, (await MissingMinutes("--zero-gaps", "2h")).Missing);
        await Refused(dir.Path, 2, "--zero-gaps 'soon'", "simulate", "--trace", trace, "--zero-gaps", "soon");
    }

    [Fact]
    public async Task Simulate_BadInput_SaysWhatIsWrong()
    {
        using var dir = new TempDirectory();
        await Refused(dir.Path, 2, "--trace 'no-such-trace' is neither a file nor a sample name", "simulate", "--trace", "no-such-trace");
        await Refused(dir.Path, null, "gif", "simulate", "--trace", "nasa", "-o", "gif");
        var trace = WriteTrace(dir.Path);
        await Refused(dir.Path, 1, "cannot write the plot", "simulate", "--trace", trace, "--policies", "static", "--warm-up", "12h", "--plot", Path.Combine(dir.Path, "missing-dir", "x.png"));
    }

    [Fact]
    public async Task WhatIf_Demo_FailingARack_ShowsTheEffectOnLiveAndShadow()
    {
        using var dir = new TempDirectory();
        var (code, json, err) = await Run(dir.Path, "whatif", "--demo", "--traffic", "1.5", "--fail", "rack-1-01", "-o", "json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var failed = root.GetProperty("localities").EnumerateArray().Where(l => l.GetProperty("failed").GetBoolean()).Select(l => l.GetProperty("id").GetString()).ToList();
        Assert.Contains("rack-1-01", failed);
        Assert.True(failed.Count > 1, "the rack's hosts fail with it");
        var before = root.GetProperty("baseline").GetProperty("shadow").GetProperty("peakUtilisation").GetDouble();
        var after = root.GetProperty("scenario").GetProperty("shadow").GetProperty("peakUtilisation").GetDouble();
        Assert.True(after > before, $"1.5× traffic on fewer hosts raises the shadow's peak utilisation ({before} → {after})");

        var (c2, table, e2) = await Run(dir.Path, "whatif", "--demo", "--scaling-factor", "0.5");
        Assert.True(c2 == 0, e2);
        Assert.Contains("SIDE", table, StringComparison.Ordinal);
        Assert.Contains("shadow   scenario", table, StringComparison.Ordinal);
        Assert.Contains("LIVE-UTIL-AFTER", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhatIf_BadInput_NamesTheFieldAndLosesNothing()
    {
        using var dir = new TempDirectory();
        await Refused(dir.Path, 1, "--maintenance 'rack-1-01@tomorrow'", "whatif", "--demo", "--maintenance", "rack-1-01@tomorrow");
        await Refused(dir.Path, 1, "expected NAME=PRICE", "whatif", "--demo", "--tier-price", "spot");
        await Refused(dir.Path, 1, "fail[0]: no locality has id 'no-such-host'", "whatif", "--demo", "--fail", "no-such-host");
        await Refused(dir.Path, 1, "trafficMultiplier", "whatif", "--demo", "--traffic", "1000");
    }
}
