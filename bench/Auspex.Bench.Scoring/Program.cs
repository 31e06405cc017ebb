using System.Globalization;
using Auspex.Bench.Scoring;

// Usage:
//   dotnet run -c Release --project bench/Auspex.Bench.Scoring -- calibration [--data /work/shared/data]
//   dotnet run -c Release --project bench/Auspex.Bench.Scoring -- speed [--localities 10000]
var mode = args.Length > 0 ? args[0] : "calibration";
string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

switch (mode)
{
    case "calibration":
    {
        var data = Arg("--data", "/work/shared/data");
        var traces = Path.Combine(data, "traces");
        Console.WriteLine("## Failure risk calibration (rolling refit, time split)");
        Console.WriteLine();
        Console.Write(CalibrationBench.Run(FailureReaders.Lanl(Path.Combine(traces, "lanl_failures_1996_2005", "failures.csv.gz")),
            new DateTime(2004, 9, 1, 0, 0, 0, DateTimeKind.Unspecified), TimeSpan.FromDays(30), TimeSpan.FromDays(360)));
        var olcf = Path.Combine(traces, "hpc_disk_failures", "alpine_olcf_summit_disk_failures.csv");
        var cut = new DateTime(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Console.Write(CalibrationBench.Run(FailureReaders.Olcf(olcf, byEnclosure: false), cut, TimeSpan.FromDays(7), TimeSpan.FromDays(364)));
        Console.Write(CalibrationBench.Run(FailureReaders.Olcf(olcf, byEnclosure: true), cut, TimeSpan.FromDays(7), TimeSpan.FromDays(364)));
        break;
    }
    case "speed":
        SpeedBench.Run(int.Parse(Arg("--localities", "10000"), CultureInfo.InvariantCulture));
        break;
    default:
        Console.Error.WriteLine("usage: calibration [--data DIR] | speed [--localities N]");
        return 2;
}
return 0;
