using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Core.Topology;
using Auspex.Ingestion.TopologyFiles;
using Auspex.Kubernetes.Extender;
using Auspex.Placement.Selection;
using Auspex.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Auspex.Kubernetes.Tests;

public sealed class ExtenderPayloadTests
{
    // 30 minutes before rack-1-01's maintenance window (02:00–04:00Z) in the sample fleet; pods live 1h.
    private static readonly DateTimeOffset Now = new(2013, 8, 10, 1, 30, 0, TimeSpan.Zero);

    private static ISchedulerExtender Extender(ExtenderOptions? options = null)
    {
        var topology = TopologyFile.Load(RepoPaths.Samples("fleet", "topology.yaml")).Topology!;
        var snapshot = PlacementSnapshot.Create(topology, [], [], Now);
        return SchedulerExtender.Create(LocalitySelection.Create(), () => snapshot, new FakeTimeProvider(Now), options);
    }

    private static ExtenderArgs Read(string name) =>
        ExtenderJson.ReadArgs(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Payloads", name)))!;

    [Fact]
    public void ReadArgs_RecordedNodeNamesPayload_ReadsPodAndRequests()
    {
        var args = Read("filter-nodenames.json");
        Assert.Null(args.Nodes);
        Assert.Equal(6, args.NodeNames!.Count);
        Assert.Equal("normal-4-2-7d9c6b5f8-x2kqp", args.Pod!.Metadata.Name);
        var r = PodTranslation.ToRequest(args.Pod, Now, new ExtenderOptions(), args.NodeNames).Request!;
        Assert.Equal(("normal-4-2", "s-25464072"), (r.Component, r.Service));
        // Σ containers 400m + 100m and 768Mi + 256Mi; the init container (250m, 128Mi) is smaller.
        Assert.Equal(0.5, r.Requests[ResourceKind.Cpu], 9);
        Assert.Equal(1024.0 * 1024 * 1024, r.Requests[ResourceKind.Memory], 3);
        Assert.Equal(new TimeRange(Now, Now.AddHours(1)), r.Lifetime);
    }

    [Fact]
    public void Filter_RecordedNodeNamesPayload_FailsMaintenanceAndFitAndPassesUnknownNodes()
    {
        var result = Extender().Filter(Read("filter-nodenames.json"));
        Assert.Equal("", result.Error);
        Assert.Equal(["vm-102", "vm-270", "gpu-node-1"], result.NodeNames);
        Assert.Null(result.Nodes);
        Assert.Equal(["vm-067", "vm-274", "vm-373"], result.FailedNodes.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.StartsWith("auspex: Maintenance: maintenance of rack-1-01", result.FailedNodes["vm-067"], StringComparison.Ordinal);
        Assert.StartsWith("auspex: Fit: insufficient memory", result.FailedNodes["vm-373"], StringComparison.Ordinal);
    }

    [Fact]
    public void Filter_WritesPascalCaseKeysExactlyAsTheSchedulerDecodes()
    {
        var json = ExtenderJson.Write(Extender().Filter(Read("filter-nodenames.json")));
        var obj = JsonNode.Parse(json)!.AsObject();
        Assert.Equal(["Nodes", "NodeNames", "FailedNodes", "FailedAndUnresolvableNodes", "Error"], obj.Select(p => p.Key).ToArray());
        Assert.Null(obj["Nodes"]);
        Assert.Null(obj["FailedAndUnresolvableNodes"]);
        Assert.Equal("", obj["Error"]!.GetValue<string>());
    }

    [Fact]
    public void Filter_RecordedNodeListPayload_EchoesPassingNodesUnchanged()
    {
        var raw = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "filter-nodelist.json"));
        var result = Extender().Filter(ExtenderJson.ReadArgs(Encoding.UTF8.GetBytes(raw))!);
        Assert.Null(result.NodeNames);
        var written = JsonNode.Parse(ExtenderJson.Write(result))!;
        var items = written["Nodes"]!["items"]!.AsArray();
        Assert.Equal(["vm-102", "vm-270", "gpu-node-1"], items.Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToArray());
        var original = JsonNode.Parse(raw)!["Nodes"]!["items"]!.AsArray().Single(i => i!["metadata"]!["name"]!.GetValue<string>() == "vm-102");
        Assert.True(JsonNode.DeepEquals(original, items[0]), "a passing node must be returned exactly as it was sent");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(raw)!["Nodes"]!["metadata"], written["Nodes"]!["metadata"]));
    }

    [Fact]
    public void Filter_SimulatorShapedNodeList_EchoesPassingNodesExactly_AndFailsMaintenance()
    {
        // Node objects shaped like the ones kube-scheduler-simulator recorded (Payloads/README.md): null condition
        // times, PascalCase daemonEndpoints Port, managedFields, empty spec. They must pass through untouched.
        var raw = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "filter-nodelist-simulator.json"));
        var args = ExtenderJson.ReadArgs(Encoding.UTF8.GetBytes(raw))!;
        Assert.Null(args.NodeNames);
        Assert.Equal(3, args.Nodes!.Items.Count);
        var result = Extender().Filter(args);
        Assert.Equal("", result.Error);
        var written = JsonNode.Parse(ExtenderJson.Write(result))!;
        var items = written["Nodes"]!["items"]!.AsArray();
        Assert.Equal(["vm-102", "node-tzjll"], items.Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToArray());
        var sent = JsonNode.Parse(raw)!["Nodes"]!["items"]!.AsArray();
        Assert.True(JsonNode.DeepEquals(sent[0], items[0]), "vm-102 must come back exactly as sent");
        Assert.True(JsonNode.DeepEquals(sent[2], items[1]), "an unknown node must come back exactly as sent");
        Assert.StartsWith("auspex: Maintenance: maintenance of rack-1-01", result.FailedNodes["vm-067"], StringComparison.Ordinal);
        Assert.Equal("{}", written["Nodes"]!["metadata"]!.ToJsonString());
    }

    [Fact]
    public void Answers_HaveTheKeysAndJsonKindsOfTheRecordedExtenderAnswers()
    {
        var recorded = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "recorded-extender-results.json")))!;
        var raw = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Payloads", "filter-nodelist-simulator.json"));
        var filter = JsonNode.Parse(ExtenderJson.Write(Extender().Filter(ExtenderJson.ReadArgs(raw)!)))!.AsObject();
        var want = recorded["ExtenderFilterResult"]!.AsObject();
        Assert.Equal(want.Select(p => p.Key).ToArray(), filter.Select(p => p.Key).ToArray());
        foreach (var (key, value) in want)
        {
            // Same JSON kind where the record has a value (FailedNodes is an object even when empty; Error a string).
            Assert.True(value is null ? key is "NodeNames" or "FailedAndUnresolvableNodes" : filter[key]?.GetValueKind() == value.GetValueKind(),
                $"{key}: recorded {value?.GetValueKind().ToString() ?? "null"}, ours {filter[key]?.GetValueKind().ToString() ?? "null"}");
        }
        Assert.Null(filter["NodeNames"]);
        var scores = JsonNode.Parse(ExtenderJson.Write(Extender().Prioritize(Read("prioritize-nodenames.json"))))!.AsArray();
        var recordedScores = recorded["HostPriorityList"]!.AsArray();
        Assert.All(scores, s => Assert.Equal(recordedScores[0]!.AsObject().Select(p => (p.Key, p.Value!.GetValueKind())).ToArray(),
            s!.AsObject().Select(p => (p.Key, p.Value!.GetValueKind())).ToArray()));
    }

    [Fact]
    public void Filter_UnknownNodesFailPolicy_FailsNodesOutsideTheTopology()
    {
        var result = Extender(new ExtenderOptions { UnknownNodes = UnknownNodePolicy.Fail, FailuresAreUnresolvable = true }).Filter(Read("filter-nodenames.json"));
        Assert.Equal(["vm-102", "vm-270"], result.NodeNames);
        Assert.Contains("gpu-node-1", result.FailedAndUnresolvableNodes!.Keys);
        Assert.Empty(result.FailedNodes);
    }

    [Fact]
    public void Prioritize_RecordedPayload_ScoresZeroToTenAsABareArray()
    {
        var scores = Extender().Prioritize(Read("prioritize-nodenames.json"));
        Assert.Equal(["vm-067", "vm-274", "vm-373", "vm-102", "vm-270", "gpu-node-1"], scores.Select(s => s.Host).ToArray());
        Assert.All(scores, s => Assert.InRange(s.Score, 0, 10));
        Assert.Equal(0, scores.Single(s => s.Host == "vm-067").Score);
        Assert.Equal(0, scores.Single(s => s.Host == "gpu-node-1").Score);
        // The two feasible nodes are stretched over 1–10: the better one gets 10, the other 1.
        Assert.Equal([1L, 10L], scores.Where(s => s.Host is "vm-102" or "vm-270").Select(s => s.Score).Order().ToArray());
        var json = ExtenderJson.Write(scores);
        Assert.StartsWith("[{\"Host\":\"vm-067\",\"Score\":0}", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Filter_PodWithBadQuantity_ReturnsErrorNotException()
    {
        var args = Read("filter-nodenames.json");
        args.Pod!.Spec.Containers![0].Resources!.Requests!["cpu"] = "lots";
        var result = Extender().Filter(args);
        Assert.Contains("cpu quantity 'lots' is not valid", result.Error, StringComparison.Ordinal);
        Assert.Equal(ExtenderLimits.MinPriority, Assert.Single(Extender().Prioritize(new ExtenderArgs { Pod = args.Pod, NodeNames = ["vm-102"] })).Score);
    }

    [Fact]
    public void Filter_FiveHundredNodes_AllAnsweredInOneCall()
    {
        var locs = new List<Locality>
        {
            new("r", LocalityKind.Region, null, ResourceVector.Zero, null, Labels.Empty),
            new("z", LocalityKind.Zone, "r", ResourceVector.Zero, null, Labels.Empty),
            new("k", LocalityKind.Rack, "z", ResourceVector.Zero, null, Labels.Empty),
        };
        locs.AddRange(Enumerable.Range(0, 500).Select(i => new Locality($"node-{i:D3}", LocalityKind.Host, "k",
            ResourceVector.Of((ResourceKind.Cpu, 2 + i % 7), (ResourceKind.Memory, 8e9)), null, Labels.Empty)));
        var topology = Topology.Create(TenantId.Default, locs).Topology!;
        var snapshot = PlacementSnapshot.Create(topology, [], [], Now);
        var extender = SchedulerExtender.Create(LocalitySelection.Create(), () => snapshot, new FakeTimeProvider(Now));
        var args = Read("filter-nodenames.json");
        args.NodeNames = topology.Hosts.Select(h => h.Id).ToList();
        var body = JsonSerializer.SerializeToUtf8Bytes(args, ExtenderJsonContext.Default.ExtenderArgs);
        var result = extender.Filter(ExtenderJson.ReadArgs(body)!);
        Assert.Equal(500, result.NodeNames!.Count);
        var scores = extender.Prioritize(ExtenderJson.ReadArgs(body)!);
        Assert.Equal(500, scores.Count);
        Assert.True(scores.Max(s => s.Score) > scores.Min(s => s.Score), "bigger nodes score higher");
    }

    [Theory]
    [InlineData("500m", 0.5)]
    [InlineData("2", 2)]
    [InlineData("1Gi", 1073741824)]
    [InlineData("128974848", 128974848)]
    [InlineData("129e6", 129e6)]
    [InlineData("123Mi", 128974848)]
    [InlineData("1.5k", 1500)]
    public void KubeQuantity_ParsesKubernetesSuffixes(string text, double expected)
    {
        Assert.True(KubeQuantity.TryParse(text, out var v));
        Assert.Equal(expected, v, 6);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("1h30m", 5400)]
    [InlineData("1d", 86400)]
    [InlineData("PT2H", 7200)]
    public void TryParseDuration_ReadsGoAndIsoDurations(string text, double seconds)
    {
        Assert.True(PodTranslation.TryParseDuration(text, out var d));
        Assert.Equal(seconds, d.TotalSeconds);
    }
}
