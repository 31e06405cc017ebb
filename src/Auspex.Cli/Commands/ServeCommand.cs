using System.CommandLine;
using Auspex.Engine.Configuration;
using Auspex.Server;

namespace Auspex.Cli.Commands;

/// <summary><c>auspex serve --config FILE</c>: runs the loop and the server on a user's configuration and data directory.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Configuration file (see docs/configuration.md)" };
        var topology = new Option<string?>("--topology") { Description = "Topology file (overrides the configuration's)" };
        var port = new Option<int>("--port") { Description = "TCP port to serve on", DefaultValueFactory = _ => 5080 };
        var grpcPort = new Option<int>("--grpc-port") { Description = "HTTP/2 port of the KEDA external scaler (gRPC); 0 picks a free port", DefaultValueFactory = _ => 5081 };
        var host = new Option<string>("--host") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Data directory (overrides the configuration's)" };
        var cmd = new Command("serve", "Serve Auspex on your own topology and data") { config, topology, port, grpcPort, host, dataDir };
        cmd.SetAction(async (parse, ct) =>
        {
            RuntimeSettings settings;
            if (parse.GetValue(config) is { } path)
            {
                var r = ConfigFile.Load(path);
                if (r.Settings is null)
                {
                    foreach (var e in r.Errors)
                    {
                        Console.Error.WriteLine("error: " + e);
                    }
                    return 2;
                }
                settings = r.Settings;
            }
            else
            {
                settings = new RuntimeSettings { DataDirectory = Path.GetFullPath("data") };
            }
            if (parse.GetValue(topology) is { } t)
            {
                settings.TopologyPath = Path.GetFullPath(t);
            }
            if (parse.GetValue(dataDir) is { } d)
            {
                settings.DataDirectory = Path.GetFullPath(d);
            }
            return await HostRunner.RunAsync(settings, new ServerOptions { Port = parse.GetValue(port), GrpcPort = parse.GetValue(grpcPort), Host = parse.GetValue(host)! }, ct);
        });
        return cmd;
    }
}
