using System.CommandLine;
using Auspex.Engine.Configuration;
using Auspex.Server;

namespace Auspex.Cli.Commands;

/// <summary><c>auspex demo</c>: imports the sample fleet into a fresh data directory and serves it, replayed on an accelerated clock.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "TCP port to serve on", DefaultValueFactory = _ => 5080 };
        var grpcPort = new Option<int>("--grpc-port") { Description = "HTTP/2 port of the KEDA external scaler (gRPC); 0 picks a free port", DefaultValueFactory = _ => 5081 };
        var dataDir = new Option<string>("--data-dir") { Description = "Data directory (its database is recreated)", DefaultValueFactory = _ => Path.Combine(".auspex", "demo") };
        var speed = new Option<double>("--speed") { Description = "Simulated seconds per real second (3600: one trace hour per second)", DefaultValueFactory = _ => 3600 };
        var cmd = new Command("demo", "Run Auspex on the bundled real sample fleet (40 Bitbrains VMs on an Alibaba-shaped topology) with the dashboard on http://127.0.0.1:5080")
        {
            port, grpcPort, dataDir, speed,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var fleet = SampleData.FleetDirectory();
            if (fleet is null)
            {
                Console.Error.WriteLine("error: the sample fleet (samples/fleet/topology.yaml and metrics.csv.gz) was not found beside the executable or above the current directory");
                return 2;
            }
            var s = parse.GetValue(speed);
            if (!double.IsFinite(s) || s <= 0)
            {
                Console.Error.WriteLine("error: --speed must be a positive number");
                return 2;
            }
            var settings = new RuntimeSettings
            {
                DataDirectory = Path.GetFullPath(parse.GetValue(dataDir)!),
                TopologyPath = Path.Combine(fleet, "topology.yaml"),
                Fresh = true,
                // The demo clock runs an hour per second: fold rollups every 6 simulated hours, not every second.
                Engine = new Engine.EngineOptions { MaintenanceEvery = TimeSpan.FromHours(6) },
                Replay = new ReplaySettings { Files = [Path.Combine(fleet, "metrics.csv.gz")], Speed = s },
            };
            // The demo scales its services ahead of the replayed load, on the simulated executor, across the fleet's
            // on-prem tier and the cloud tiers of the sample price sheet (when it ships beside the fleet).
            settings.Orchestration.Scaling.Mode = ScalingStageMode.Full;
            var pricing = Path.GetFullPath(Path.Combine(fleet, "..", "pricing", "tiers.csv"));
            if (File.Exists(pricing))
            {
                settings.Orchestration.Scaling.PricingFile = pricing;
            }
            // A fresh admin token for this demo, written to a file only its owner can read; never printed or logged.
            var token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
            Directory.CreateDirectory(settings.DataDirectory);
            var tokenFile = Path.Combine(settings.DataDirectory, "admin.token");
            File.WriteAllText(tokenFile, token + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            settings.ApiKeys = [new ApiKeySettings("demo-admin", "admin", "demo", Server.Auth.ApiKey.Hash(token))];
            Console.Error.WriteLine($"auspex: admin API token for writes: {tokenFile}");
            return await HostRunner.RunAsync(settings, new ServerOptions { Port = parse.GetValue(port), GrpcPort = parse.GetValue(grpcPort) }, ct);
        });
        return cmd;
    }
}
