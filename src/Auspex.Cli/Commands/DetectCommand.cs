using System.CommandLine;
using Auspex.Anomalies;
using Auspex.Anomalies.Csv;

namespace Auspex.Cli.Commands;

/// <summary>
/// <c>auspex detect --input DIR_OR_FILE --output DIR [--detector NAME] [--whole-file]</c>: a thin adapter over
/// <see cref="DetectService"/>. Reads <c>timestamp,value</c> CSVs and writes, for each input file, a CSV at the
/// same relative path under the output folder with <c>timestamp,value,anomaly_score</c> (NAB's results layout).
/// Summary and errors go to stderr; a bad input names the file and line and nothing is written.
/// </summary>
internal static class DetectCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "A timestamp,value CSV file, or a folder scanned recursively for *.csv.", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Output folder; each result keeps its input's relative path.", Required = true };
        var detector = new Option<string>("--detector", "-d") { Description = "Detector: " + string.Join(", ", AnomalyDetectors.Names) + ".", DefaultValueFactory = _ => AnomalyDetectors.DefaultName };
        detector.AcceptOnlyFromAmong([.. AnomalyDetectors.Names]);
        var wholeFile = new Option<bool>("--whole-file")
        {
            Description = "Only with --detector artime: give ARTime each file's min, max and length (its probationary period), as NAB gives every detector. A live stream cannot know them.",
        };

        var command = new Command("detect", "Score every point of timestamp,value CSVs with a streaming anomaly detector (scores in [0, 1]).")
        {
            input, output, detector, wholeFile,
        };
        command.SetAction(parseResult =>
        {
            var error = Console.Error;
            var name = parseResult.GetValue(detector) ?? AnomalyDetectors.DefaultName;
            var whole = parseResult.GetValue(wholeFile);
            if (whole && name != AnomalyDetectors.Artime)
            {
                error.WriteLine($"error: --whole-file is only for --detector {AnomalyDetectors.Artime}, not '{name}'.");
                return 1;
            }
            try
            {
                var files = DetectService.Run(parseResult.GetValue(input)!, parseResult.GetValue(output)!, name, wholeFile: whole);
                var threshold = AnomalyDetectorOptions.Default.Threshold;
                foreach (var f in files)
                {
                    error.WriteLine($"{f.Input}: {f.Points} points, {f.Anomalies} at or above {threshold} -> {f.Output}");
                }
                error.WriteLine($"detect: {files.Count} file(s) scored with '{name}'");
                return 0;
            }
            catch (SeriesCsvException e)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
            catch (IOException e)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
            catch (UnauthorizedAccessException e)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
