using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Auspex.Kubernetes.Tests.Execution;

/// <summary>
/// An in-process HTTP server answering the Kubernetes REST paths the executor uses, with JSON in the shapes of the
/// Kubernetes API reference (Scale, Node, PodList, Status, Eviction). No cluster can run here, so this stands in for
/// one: it checks paths, verbs, content types and merge-patch bodies the way the API server does, and applies them.
/// </summary>
internal sealed class FakeKubeApi : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public FakeKubeApi()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public Uri Url { get; }

    public List<string> Requests { get; } = [];

    /// <summary>Status codes to answer evictions of given pods with (e.g. 429 for a PodDisruptionBudget).</summary>
    public Dictionary<string, int> EvictionAnswers { get; } = new(StringComparer.Ordinal);

    public void Put(string path, string json)
    {
        lock (_gate)
        {
            _objects[path] = JsonNode.Parse(json)!.AsObject();
        }
    }

    public JsonObject? Get(string path)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(path, out var o) ? o.DeepClone().AsObject() : null;
        }
    }

    public void AddDeployment(string ns, string name, int replicas) => Put($"/apis/apps/v1/namespaces/{ns}/deployments/{name}", Fill("""
        {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"@0@","namespace":"@1@","uid":"6f1d2c1e-0000-4000-8000-000000000001","resourceVersion":"1001","generation":3,"labels":{"app":"@0@"}},
         "spec":{"replicas":@2@,"selector":{"matchLabels":{"app":"@0@"}},"template":{"metadata":{"labels":{"app":"@0@"}},"spec":{"containers":[{"name":"app","image":"nginx:1.27"}]}}},
         "status":{"observedGeneration":3,"replicas":@2@,"readyReplicas":@2@,"availableReplicas":@2@}}
        """, (name).ToString(), (ns).ToString(), replicas.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public void AddNode(string name) => Put($"/api/v1/nodes/{name}", Fill("""
        {"kind":"Node","apiVersion":"v1","metadata":{"name":"@0@","uid":"0b6c4c2a-0000-4000-8000-000000000002","resourceVersion":"2002","labels":{"kubernetes.io/hostname":"@0@","kubernetes.io/os":"linux"}},
         "spec":{"podCIDR":"10.244.1.0/24","taints":[{"key":"dedicated","value":"db","effect":"NoSchedule"}]},
         "status":{"capacity":{"cpu":"4","memory":"16393364Ki","pods":"110"},"allocatable":{"cpu":"3800m","memory":"15242388Ki","pods":"110"},"conditions":[{"type":"Ready","status":"True"}]}}
        """, (name).ToString()));

    public void AddPod(string ns, string name, string node, string? ownerKind = "ReplicaSet") => Put($"/api/v1/namespaces/{ns}/pods/{name}", Fill("""
        {"kind":"Pod","apiVersion":"v1","metadata":{"name":"@0@","namespace":"@1@","uid":"a1b2c3d4-0000-4000-8000-@2@",
         "ownerReferences":[{"apiVersion":"apps/v1","kind":"@3@","name":"@0@-owner","uid":"u1","controller":true}]},
         "spec":{"nodeName":"@4@","containers":[{"name":"app","image":"nginx:1.27"}]},"status":{"phase":"Running"}}
        """, (name).ToString(), (ns).ToString(), string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0:000000000000}", Math.Abs(name.GetHashCode(StringComparison.Ordinal)) % 1000000000000), ownerKind ?? "ReplicaSet", (node).ToString()));

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                Handle(ctx);
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                // client went away
            }
        }
    }

    private void Handle(HttpListenerContext ctx)
    {
        var path = ctx.Request.Url!.AbsolutePath;
        var method = ctx.Request.HttpMethod;
        string body;
        using (var r = new StreamReader(ctx.Request.InputStream, Encoding.UTF8))
        {
            body = r.ReadToEnd();
        }
        lock (_gate)
        {
            Requests.Add($"{method} {path}{ctx.Request.Url.Query}");
        }
        var subresource = path.EndsWith("/scale", StringComparison.Ordinal) ? "scale" : path.EndsWith("/eviction", StringComparison.Ordinal) ? "eviction" : null;
        var objectPath = subresource is null ? path : path[..path.LastIndexOf('/')];
        if (method == "GET" && path == "/api/v1/pods")
        {
            var node = (ctx.Request.QueryString["fieldSelector"] ?? "").Replace("spec.nodeName=", "", StringComparison.Ordinal);
            JsonArray items;
            lock (_gate)
            {
                items = new JsonArray(_objects.Where(kv => kv.Key.Contains("/pods/", StringComparison.Ordinal) && kv.Value["spec"]?["nodeName"]?.GetValue<string>() == node)
                    .Select(kv => (JsonNode)kv.Value.DeepClone()).ToArray());
            }
            Reply(ctx, 200, new JsonObject { ["kind"] = "PodList", ["apiVersion"] = "v1", ["metadata"] = new JsonObject { ["resourceVersion"] = "3003" }, ["items"] = items });
            return;
        }
        var obj = Get(objectPath);
        if (obj is null)
        {
            var parts = objectPath.Split('/');
            Reply(ctx, 404, Status(404, "NotFound", $"{parts[^2]} \"{parts[^1]}\" not found"));
            return;
        }
        if (subresource == "eviction" && method == "POST")
        {
            var name = obj["metadata"]!["name"]!.GetValue<string>();
            if (EvictionAnswers.TryGetValue(name, out var code) && code != 201)
            {
                Reply(ctx, code, Status(code, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget."));
                return;
            }
            lock (_gate)
            {
                _objects.Remove(objectPath);
            }
            Reply(ctx, 201, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201 });
            return;
        }
        if (method == "PATCH")
        {
            if (ctx.Request.ContentType?.StartsWith("application/merge-patch+json", StringComparison.Ordinal) != true)
            {
                Reply(ctx, 415, Status(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"));
                return;
            }
            var patch = JsonNode.Parse(body)!.AsObject();
            if (subresource == "scale")
            {
                obj["spec"]!["replicas"] = patch["spec"]!["replicas"]!.DeepClone();
            }
            else
            {
                Merge(obj, patch);
            }
            Put(objectPath, obj.ToJsonString());
        }
        if (subresource == "scale")
        {
            var replicas = obj["spec"]!["replicas"]!.GetValue<int>();
            Reply(ctx, 200, new JsonObject
            {
                ["kind"] = "Scale", ["apiVersion"] = "autoscaling/v1",
                ["metadata"] = new JsonObject { ["name"] = obj["metadata"]!["name"]!.DeepClone(), ["namespace"] = obj["metadata"]!["namespace"]!.DeepClone(), ["resourceVersion"] = "1002" },
                ["spec"] = new JsonObject { ["replicas"] = replicas },
                ["status"] = new JsonObject { ["replicas"] = replicas, ["selector"] = "app=" + obj["metadata"]!["name"]!.GetValue<string>() },
            });
            return;
        }
        Reply(ctx, 200, obj);
    }

    /// <summary>RFC 7386 JSON merge patch.</summary>
    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject po && target[key] is JsonObject to)
            {
                Merge(to, po);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    private static JsonObject Status(int code, string reason, string message) => new()
    {
        ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure", ["message"] = message, ["reason"] = reason, ["code"] = code,
    };

    private static void Reply(HttpListenerContext ctx, int code, JsonObject body)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength64 = bytes.Length;
        ctx.Response.OutputStream.Write(bytes);
        ctx.Response.Close();
    }

    private static string Fill(string template, params string[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            template = template.Replace("@" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "@", values[i], StringComparison.Ordinal);
        }
        return template;
    }

    public void Dispose() => _listener.Close();
}
