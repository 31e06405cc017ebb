namespace Auspex.Core.Resources;

/// <summary>The kinds of resource Auspex measures, forecasts and places against.</summary>
public enum ResourceKind
{
    /// <summary>CPU in cores.</summary>
    Cpu,
    /// <summary>Memory in bytes.</summary>
    Memory,
    /// <summary>Network receive in bytes per second.</summary>
    NetworkIn,
    /// <summary>Network transmit in bytes per second.</summary>
    NetworkOut,
    /// <summary>Storage latency in seconds.</summary>
    StorageLatency,
    /// <summary>Storage throughput (read + write) in bytes per second.</summary>
    StorageThroughput,
    /// <summary>Power draw in watts.</summary>
    Power,
    /// <summary>Temperature in degrees Celsius.</summary>
    Temperature,
    /// <summary>Number of running deployments (services, applications).</summary>
    ActiveDeployments,
}

/// <summary>Names, units and the metric each resource kind is stored under.</summary>
public static class ResourceKinds
{
    /// <summary>Every kind, in declaration order.</summary>
    public static IReadOnlyList<ResourceKind> All { get; } = Enum.GetValues<ResourceKind>();

    /// <summary>The metric name a host's usage of this resource is stored under (Prometheus base units).</summary>
    public static string MetricName(this ResourceKind kind) => kind switch
    {
        ResourceKind.Cpu => "auspex_host_cpu_used_cores",
        ResourceKind.Memory => "auspex_host_memory_used_bytes",
        ResourceKind.NetworkIn => "auspex_host_network_receive_bytes_per_second",
        ResourceKind.NetworkOut => "auspex_host_network_transmit_bytes_per_second",
        ResourceKind.StorageLatency => "auspex_host_storage_latency_seconds",
        ResourceKind.StorageThroughput => "auspex_host_storage_throughput_bytes_per_second",
        ResourceKind.Power => "auspex_host_power_watts",
        ResourceKind.Temperature => "auspex_host_temperature_celsius",
        ResourceKind.ActiveDeployments => "auspex_host_active_deployments",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The short name used in configuration files and APIs (snake case).</summary>
    public static string Key(this ResourceKind kind) => kind switch
    {
        ResourceKind.Cpu => "cpu",
        ResourceKind.Memory => "memory",
        ResourceKind.NetworkIn => "network_in",
        ResourceKind.NetworkOut => "network_out",
        ResourceKind.StorageLatency => "storage_latency",
        ResourceKind.StorageThroughput => "storage_throughput",
        ResourceKind.Power => "power",
        ResourceKind.Temperature => "temperature",
        ResourceKind.ActiveDeployments => "active_deployments",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The unit of the values.</summary>
    public static string Unit(this ResourceKind kind) => kind switch
    {
        ResourceKind.Cpu => "cores",
        ResourceKind.Memory => "bytes",
        ResourceKind.NetworkIn or ResourceKind.NetworkOut or ResourceKind.StorageThroughput => "bytes/s",
        ResourceKind.StorageLatency => "seconds",
        ResourceKind.Power => "watts",
        ResourceKind.Temperature => "celsius",
        _ => "count",
    };

    /// <summary>
    /// True when the kind is a consumable capacity (usage approaches a limit); latency and temperature are
    /// conditions with thresholds instead.
    /// </summary>
    public static bool IsCapacity(this ResourceKind kind) =>
        kind is not (ResourceKind.StorageLatency or ResourceKind.Temperature);

    /// <summary>Parses a short name (<c>cpu</c>, <c>network_in</c>…), case-insensitive.</summary>
    public static bool TryParse(string? key, out ResourceKind kind)
    {
        foreach (var k in All)
        {
            if (string.Equals(k.Key(), key, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(k.ToString(), key, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>Finds the kind whose metric name is <paramref name="metric"/>.</summary>
    public static bool TryFromMetric(string metric, out ResourceKind kind)
    {
        foreach (var k in All)
        {
            if (k.MetricName() == metric)
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }
}
