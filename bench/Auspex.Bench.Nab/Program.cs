using System.Diagnostics;
using System.Globalization;
using System.Text;
using Auspex.Anomalies;
using Auspex.Anomalies.Csv;
using Auspex.Bench.Nab;

// NAB harness: runs each detector over the NAB data, writes NAB-format results, scores them (swept and
// fixed threshold) and cross-checks with the reference scorer. See bench/RESULTS.md.
var inv = CultureInfo.InvariantCulture;
string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

var root = FindRepoRoot(Directory.GetCurrentDirectory()) ?? Directory.GetCurrentDirectory();
var dataDir = Path.GetFullPath(Arg("--data") ?? Path.Combine(root, "..", "shared", "data", "nab"));
var outDir = Path.GetFullPath(Arg("--out") ?? Path.Combine(root, "artifacts", "nab"));
var fixedThreshold = double.Parse(Arg("--threshold") ?? AnomalyDetectorOptions.Default.Threshold.ToString("R", inv), inv);
var detectors = (Arg("--detectors") ?? string.Join(",", AnomalyDetectors.Names)).Split(',', StringSplitOptions.RemoveEmptyEntries);
var scorer = Arg("--reference") ?? Path.Combine(dataDir, "..", "..", "tools", "nab_score.py");
var filesPart = Arg("--files") ?? "all";
// --artime-cap N: ARTime's category cap for the artime:... variants (default 512, as in the product)
var artimeCap = int.Parse(Arg("--artime-cap") ?? ArtimeSettings.Default.MaxCategories.ToString(inv), inv);
if (!NabSplit.Names.Contains(filesPart))
{
    Console.Error.WriteLine($"--files must be one of {string.Join(", ", NabSplit.Names)}; got '{filesPart}'.");
    return 2;
}

if (!Directory.Exists(dataDir))
{
    Console.Error.WriteLine($"NAB data folder is missing: {dataDir}\nPass --data <folder holding labels/combined_windows.json>.");
    return 2;
}
var corpus = NabCorpus.Load(dataDir);
Console.WriteLine($"NAB data {dataDir}: {corpus.Files.Count} files, {corpus.Files.Sum(f => f.WindowCount)} windows, {corpus.Files.Sum(f => f.Rows)} rows; fixed threshold {fixedThreshold.ToString(inv)}");
var paths = corpus.Files.Select(f => f.RelativePath).ToList();
// --files all runs every file and reports the whole set and both halves; dev / holdout run and report one half
var reportParts = filesPart == "all" ? NabSplit.Names : new[] { filesPart };
var selected = NabSplit.Select(paths, filesPart).ToHashSet();
foreach (var part in NabSplit.Names.Skip(1))
{
    var idx = NabSplit.Select(paths, part);
    Console.WriteLine($"{part} half (seed {NabSplit.Seed}): {idx.Count} files, {idx.Sum(i => corpus.Files[i].WindowCount)} windows: {string.Join(" ", idx.Select(i => paths[i]))}");
}

var md = new StringBuilder();
md.AppendLine("| detector | files | standard (sweep) | low FP (sweep) | low FN (sweep) | thresholds (std/lowFP/lowFN) | standard @fixed | low FP @fixed | low FN @fixed | windows hit @fixed | FP rows @fixed | median µs/pt | p99 µs/pt | ours vs reference, 3 dp (std sweep; std fixed) |");
md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
var categories = new StringBuilder();
categories.AppendLine("| detector | files | category | standard at the swept θ | standard at the fixed θ |");
categories.AppendLine("|---|---|---|---|---|");
var states = new StringBuilder();
states.AppendLine("| detector | saved state min B | median B | max B | files |");
states.AppendLine("|---|---|---|---|---|");
foreach (var spec in detectors)
{
    // "name" uses the likelihood stage; "name:raw" skips it
    var parts = spec.Split(':');
    var options = AnomalyDetectorOptions.Default with { Likelihood = !(parts.Length > 1 && parts[1] == "raw") };
    var label = spec.Replace(':', '-');
    var scores = new List<double[]>();
    var stateBytes = new List<int>(); // saved-state size per series after its whole file
    var ticks = new List<long>(corpus.Files.Sum(f => f.Rows));
    for (var f = 0; f < corpus.Files.Count; f++)
    {
        if (!selected.Contains(f))
        {
            scores.Add([]);
            continue;
        }
        var points = corpus.Series[f];
        // "artime:nab" gives ARTime what NAB gives every detector: the file's min and max and its
        // probationary period (ARTime's rule: 15 % of the length below 5,000 rows, else 750; made even)
        // ("artime:nabprobation" gives only the probationary period, "artime:nabrange" only the range)
        var variant = parts[0] == AnomalyDetectors.Artime && parts.Length > 1 ? parts[1] : null;
        var detector = variant is "nab" or "nabprobation" or "nabrange"
            ? AnomalyDetectors.CreateArtime(ArtimeSettings.ForWholeSeries(points.Select(p => p.Value).ToList()) is var whole
                ? whole with
                {
                    ProbationaryPoints = variant == "nabrange" ? ArtimeSettings.Default.ProbationaryPoints : whole.ProbationaryPoints,
                    InputMin = variant == "nabprobation" ? null : whole.InputMin,
                    InputMax = variant == "nabprobation" ? null : whole.InputMax,
                    MaxCategories = artimeCap,
                }
                : throw new InvalidOperationException())
            : parts[0] == AnomalyDetectors.Artime && parts.Length > 1 && parts[1] != "raw"
                ? AnomalyDetectors.CreateArtime(ArtimeVariant(parts[1]) with { MaxCategories = artimeCap })
                : AnomalyDetectors.Create(parts[0], options);
        var s = new double[points.Count];
        var reasons = args.Contains("--reasons") ? new List<string>() : null;
        for (var i = 0; i < s.Length; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var rr = detector.Update(points[i].At, points[i].Value);
            s[i] = rr.Score;
            ticks.Add(Stopwatch.GetTimestamp() - t0);
            reasons?.Add(rr.Reason);
        }
        scores.Add(s);
        stateBytes.Add(detector.SaveState().Length);
        if (reasons is not null)
        {
            var rp = Path.Combine(outDir, label, corpus.Files[f].RelativePath) + ".reasons";
            Directory.CreateDirectory(Path.GetDirectoryName(rp)!);
            File.WriteAllLines(rp, reasons);
        }
        SeriesCsv.Write(Path.Combine(outDir, label, corpus.Files[f].RelativePath), points, s);
    }
    ticks.Sort();
    double Micro(long t) => t * 1e6 / Stopwatch.Frequency;
    var median = Micro(ticks[ticks.Count / 2]);
    var p99 = Micro(ticks[(int)(ticks.Count * 0.99)]);

    Console.WriteLine($"\n== {label}  (median {median:F2} µs/pt, p99 {p99:F2} µs/pt over {ticks.Count} points)");
    stateBytes.Sort();
    Console.WriteLine($"  saved state per series after its file: min {stateBytes[0]} B, median {stateBytes[stateBytes.Count / 2]} B, max {stateBytes[^1]} B ({stateBytes.Count} files)");
    states.AppendLine(inv, $"| {label} | {stateBytes[0]} | {stateBytes[stateBytes.Count / 2]} | {stateBytes[^1]} | {stateBytes.Count} |");
    foreach (var part in reportParts)
    {
        var pidx = NabSplit.Select(paths, part);
        var pfiles = pidx.Select(i => corpus.Files[i]).ToList();
        var pscores = pidx.Select(i => scores[i]).ToList();
        var swept = NabProfile.All.Select(p => NabScorer.Sweep(pfiles, pscores, p)).ToList();
        var fixedScores = NabProfile.All.Select(p => NabScorer.At(pfiles, pscores, p, fixedThreshold)).ToList();
        Console.WriteLine($"  [{part}: {pfiles.Count} files]");
        foreach (var (sw, fx) in swept.Zip(fixedScores))
        {
            Console.WriteLine($"  {sw.Profile,-20} sweep {sw.Normalized,7:F2} (θ={sw.Threshold:G6}, {sw.WindowsDetected}/{sw.Windows} windows, {sw.FalsePositiveRows} FP rows)   fixed {fx.Normalized,7:F2} ({fx.WindowsDetected}/{fx.Windows}, {fx.FalsePositiveRows} FP rows)");
        }
        // per category (folder), standard profile: at the swept threshold of this part and at the fixed one
        foreach (var folder in pfiles.Select(f => f.RelativePath.Split('/')[0]).Distinct().Order(StringComparer.Ordinal))
        {
            var idx = Enumerable.Range(0, pfiles.Count).Where(i => pfiles[i].RelativePath.StartsWith(folder + "/", StringComparison.Ordinal)).ToList();
            var files = idx.Select(i => pfiles[i]).ToList();
            var sub = idx.Select(i => pscores[i]).ToList();
            var atSweep = NabScorer.At(files, sub, NabProfile.All[0], swept[0].Threshold);
            var atFixed = NabScorer.At(files, sub, NabProfile.All[0], fixedThreshold);
            string Fmt(NabScore x) => x.Windows == 0
                ? string.Create(inv, $"raw {x.Raw:F2} ({x.FalsePositiveRows} FP rows)")
                : string.Create(inv, $"{x.Normalized:F2} ({x.WindowsDetected}/{x.Windows}, {x.FalsePositiveRows} FP rows)");
            Console.WriteLine($"    {folder,-24} standard at swept θ {Fmt(atSweep)}   at fixed θ {Fmt(atFixed)}");
            categories.AppendLine(inv, $"| {label} | {part} | {folder} | {Fmt(atSweep)} | {Fmt(atFixed)} |");
        }
        var reference = $"{swept[0].Normalized:F3} vs " + Reference(Path.Combine(outDir, label), fixedScores[0].Normalized, part == "all" ? null : WindowsFor(part, pfiles));
        md.AppendLine(inv, $"| {label} | {part} | {swept[0].Normalized:F2} | {swept[1].Normalized:F2} | {swept[2].Normalized:F2} | {swept[0].Threshold:G4} / {swept[1].Threshold:G4} / {swept[2].Threshold:G4} | {fixedScores[0].Normalized:F2} | {fixedScores[1].Normalized:F2} | {fixedScores[2].Normalized:F2} | {fixedScores[0].WindowsDetected}/{fixedScores[0].Windows} | {fixedScores[0].FalsePositiveRows} | {median:F2} | {p99:F2} | {reference} |");
    }
}
Console.WriteLine();
Console.WriteLine(md.ToString());
Console.WriteLine(categories.ToString());
// --state-sizes: the multivariate detector's saved state (not a NAB detector: k metrics of one host), after 2,000
// points of k correlated random metrics, for k = 2, 4, 8, 16
if (args.Contains("--state-sizes"))
{
    var rng = new Random(7);
    foreach (var k in new[] { 2, 4, 8, 16 })
    {
        var mv = AnomalyDetectors.CreateMultivariate(k);
        var v = new double[k];
        for (var i = 0; i < 2000; i++)
        {
            var common = rng.NextDouble();
            for (var j = 0; j < k; j++)
            {
                v[j] = common * (j + 1) + (0.1 * rng.NextDouble());
            }
            mv.Update(DateTimeOffset.UnixEpoch.AddMinutes(5 * i), v);
        }
        states.AppendLine(inv, $"| mahalanobis k={k} (2,000 random points) | {mv.SaveState().Length} | | | |");
    }
}
Console.WriteLine(states.ToString());
return 0;

// the reference scorer scores the files of its windows JSON: write the half's entries of combined_windows.json
string WindowsFor(string part, IReadOnlyList<NabFile> files)
{
    using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dataDir, "labels", "combined_windows.json")));
    var keep = files.Select(f => f.RelativePath).ToHashSet(StringComparer.Ordinal);
    var path = Path.Combine(outDir, "_labels", part + "_windows.json");
    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
    using (var stream = File.Create(path))
    using (var w = new System.Text.Json.Utf8JsonWriter(stream, new System.Text.Json.JsonWriterOptions { Indented = true }))
    {
        w.WriteStartObject();
        foreach (var e in doc.RootElement.EnumerateObject().Where(e => keep.Contains(e.Name)))
        {
            e.WriteTo(w);
        }
        w.WriteEndObject();
    }
    return path;
}

string Reference(string resultsDir, double ourFixed, string? labels)
{
    if (!File.Exists(scorer) || args.Contains("--no-reference"))
    {
        return "not run";
    }
    string Run(string extra)
    {
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { scorer, "--data", dataDir, "--results", resultsDir })
        {
            psi.ArgumentList.Add(a);
        }
        if (labels is not null)
        {
            psi.ArgumentList.Add("--labels");
            psi.ArgumentList.Add(labels);
        }
        foreach (var a in extra.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            return "error: " + err.Trim();
        }
        // table row: profile threshold raw normalized ...
        var row = stdout.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault(c => c.Length > 3 && c[0] == "standard");
        return row is null ? "unparsed" : row[3]; // the reference prints 3 decimals; re-rounding would round twice
    }
    return Run(string.Empty) + "; " + ourFixed.ToString("F3", inv) + " vs " + Run("--threshold " + fixedThreshold.ToString("R", inv));
}

// "artime:p600m0.5": a fixed probation of 600 points and a range margin of 0.5 (without labels or file range)
static ArtimeSettings ArtimeVariant(string v)
{
    var m = System.Text.RegularExpressions.Regex.Match(v, @"^(?:p(?<p>\d+))?(?:m(?<m>[0-9.]+))?$");
    if (!m.Success)
    {
        throw new ArgumentException($"Unknown ARTime variant '{v}'.");
    }
    return new ArtimeSettings
    {
        ProbationaryPoints = m.Groups["p"].Success ? int.Parse(m.Groups["p"].Value, CultureInfo.InvariantCulture) : ArtimeSettings.Default.ProbationaryPoints,
        RangeMargin = m.Groups["m"].Success ? double.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture) : ArtimeSettings.Default.RangeMargin,
    };
}

static string? FindRepoRoot(string from)
{
    for (var d = new DirectoryInfo(from); d is not null; d = d.Parent)
    {
        if (File.Exists(Path.Combine(d.FullName, "Auspex.slnx")))
        {
            return d.FullName;
        }
    }
    return null;
}
