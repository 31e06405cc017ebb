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
        var adminKey = new Option<string?>("--admin-key") { Description = "The demo's admin API key (at least 16 characters; default: $AUSPEX_ADMIN_KEY, else a fresh random key). Prefer the environment variable: a command line is visible to other users in ps." };
        var cmd = new Command("demo", "Run Auspex on the bundled real sample fleet (40 Bitbrains VMs on an Alibaba-shaped topology) with the dashboard on http://127.0.0.1:5080")
        {
            port, grpcPort, dataDir, speed, adminKey,
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
            // The admin key: --admin-key, else $AUSPEX_ADMIN_KEY, else a fresh random one. It is kept in a file only its owner
            // can read and shown once on an interactive terminal; when stderr is redirected (a log) only the file is named.
            var (token, source, keyError) = ResolveAdminKey(parse.GetValue(adminKey), Environment.GetEnvironmentVariable(AdminKeyVariable));
            if (keyError is not null)
            {
                Console.Error.WriteLine("error: " + keyError);
                return 2;
            }
            // The demo scales its services ahead of the replayed load, on the simulated executor, across the fleet's
            // on-prem tier and the cloud tiers of the sample price sheet (when it ships beside the fleet).
            settings.Orchestration.Scaling.Mode = ScalingStageMode.Full;
            var pricing = Path.GetFullPath(Path.Combine(fleet, "..", "pricing", "tiers.csv"));
            if (File.Exists(pricing))
            {
                settings.Orchestration.Scaling.PricingFile = pricing;
            }
            Directory.CreateDirectory(settings.DataDirectory);
            var tokenFile = Path.Combine(settings.DataDirectory, "admin.token");
            File.WriteAllText(tokenFile, token + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            settings.ApiKeys = [new ApiKeySettings("demo-admin", "admin", "demo", Server.Auth.ApiKey.Hash(token!))];
            Console.Error.WriteLine(source == "generated" && !Console.IsErrorRedirected
                ? $"auspex: admin API key (generated; also in {tokenFile}): {token}"
                : $"auspex: admin API key ({source}) in {tokenFile}; send it as Authorization: Bearer <key>");
            Console.Error.WriteLine("auspex: anonymous visitors get the viewer role (read-only); writes need the key");
            return await HostRunner.RunAsync(settings, new ServerOptions { Port = parse.GetValue(port), GrpcPort = parse.GetValue(grpcPort) }, ct);
        });
        return cmd;
    }

    /// <summary>The environment variable holding the demo's admin key.</summary>
    public const string AdminKeyVariable = "AUSPEX_ADMIN_KEY";

    /// <summary>The shortest admin key accepted.</summary>
    public const int MinAdminKeyLength = 16;

    /// <summary>The key to use and where it came from (option, environment, generated), or why the given one is refused.</summary>
    internal static (string? Token, string Source, string? Error) ResolveAdminKey(string? option, string? environment)
    {
        foreach (var (value, source) in new[] { (option, "--admin-key"), (environment, "$" + AdminKeyVariable) })
        {
            if (value is null)
            {
                continue;
            }
            var v = value.Trim();
            if (v.Length < MinAdminKeyLength)
            {
                return (null, source, $"{source}: the admin key must be at least {MinAdminKeyLength} characters (got {v.Length})");
            }
            if (v.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                return (null, source, $"{source}: the admin key must not contain spaces or control characters");
            }
            return (v, source, null);
        }
        return (Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)), "generated", null);
    }
}
