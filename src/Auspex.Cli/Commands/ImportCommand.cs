using System.CommandLine;
using Auspex.Core.Series;
using Auspex.Engine.Services;
using Auspex.Storage;

namespace Auspex.Cli.Commands;

/// <summary><c>auspex import</c>: loads a topology file and/or long-format CSV files into a data directory.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Data directory", DefaultValueFactory = _ => "data" };
        var topology = new Option<string?>("--topology") { Description = "Topology YAML to import (validated first)" };
        var tenant = new Option<string?>("--tenant") { Description = "Tenant for the series (default: the topology's, or 'default')" };
        var samples = new Option<bool>("--samples") { Description = "Import the bundled sample fleet (topology and metrics)" };
        var files = new Argument<string[]>("files") { Description = "Long-format CSV files (unique_id,ds,y[,metric][,label columns…]; .gz accepted)", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("import", "Import a topology and metrics (CSV long format) into the store") { dataDir, topology, tenant, samples, files };
        cmd.SetAction(async (parse, ct) =>
        {
            var topo = parse.GetValue(topology);
            var csvs = (parse.GetValue(files) ?? []).ToList();
            if (parse.GetValue(samples))
            {
                var fleet = SampleData.FleetDirectory();
                if (fleet is null)
                {
                    Console.Error.WriteLine("error: the sample fleet was not found");
                    return 2;
                }
                topo ??= Path.Combine(fleet, "topology.yaml");
                csvs.Add(Path.Combine(fleet, "metrics.csv.gz"));
            }
            if (topo is null && csvs.Count == 0)
            {
                Console.Error.WriteLine("error: nothing to import: give --topology, CSV files, or --samples");
                return 2;
            }
            var dir = Path.GetFullPath(parse.GetValue(dataDir)!);
            Directory.CreateDirectory(dir);
            using var store = AuspexStorage.OpenEmbedded(new StorageOptions { DatabasePath = Path.Combine(dir, "auspex.duckdb") });
            var service = new ImportService(store, TimeProvider.System);
            var tenantId = TenantId.Default;
            if (topo is not null)
            {
                var r = await service.ImportTopologyAsync(topo, Environment.UserName, ct);
                if (!r.IsValid)
                {
                    foreach (var e in r.Errors)
                    {
                        Console.Error.WriteLine("error: " + e);
                    }
                    return 1;
                }
                tenantId = r.Topology!.Tenant;
                Console.WriteLine($"topology  {topo}: {r.Topology.Localities.Count} localities, {r.Topology.Components.Count} components (tenant {tenantId})");
            }
            if (parse.GetValue(tenant) is { } t)
            {
                if (!TenantId.IsValid(t))
                {
                    Console.Error.WriteLine($"error: --tenant '{t}' is invalid: use 1-63 characters of a-z, 0-9, '-' or '_'");
                    return 2;
                }
                tenantId = new TenantId(t);
            }
            var failed = false;
            foreach (var f in csvs)
            {
                Console.Error.WriteLine($"importing {f} …");
                var r = await service.ImportCsvAsync(tenantId, f, Environment.UserName, ct);
                if (!r.Ok)
                {
                    failed = true;
                    foreach (var e in r.Errors)
                    {
                        Console.Error.WriteLine("error: " + e);
                    }
                    Console.Error.WriteLine($"error: {f}: nothing imported");
                    continue;
                }
                Console.WriteLine($"series    {f}: {r.Series} series, {r.Samples} samples (tenant {tenantId})");
            }
            return failed ? 1 : 0;
        });
        return cmd;
    }
}
