using System.Globalization;
using System.Xml;
using Auspex.Core.Resources;
using Auspex.Core.Series;
using Auspex.Placement.Selection;

namespace Auspex.Kubernetes.Extender;

/// <summary>The outcome of translating a pod: a placement request, or why it could not be read.</summary>
public sealed record PodTranslationResult(PlacementRequest? Request, string? Error);

/// <summary>
/// Translates a kube-scheduler pod into an Auspex <see cref="PlacementRequest"/>. The component is the
/// <c>auspex.io/component</c> annotation, else the <c>app.kubernetes.io/name</c> or <c>app</c> label, else the pod
/// name; the service is <c>auspex.io/service</c>, else <c>app.kubernetes.io/part-of</c>, else the component. Requests
/// follow kube-scheduler: max(Σ containers, largest init container) + overhead, for cpu and memory. Optional
/// annotations: <c>auspex.io/lifetime</c> (e.g. 2h, 30m, 1d), <c>auspex.io/tiers</c> (comma list),
/// <c>auspex.io/quantile</c> (0–1).
/// </summary>
public static class PodTranslation
{
    /// <summary>Annotation naming the component.</summary>
    public const string ComponentAnnotation = "auspex.io/component";

    /// <summary>Annotation naming the service.</summary>
    public const string ServiceAnnotation = "auspex.io/service";

    /// <summary>Annotation with the expected lifetime.</summary>
    public const string LifetimeAnnotation = "auspex.io/lifetime";

    /// <summary>Annotation with allowed tiers.</summary>
    public const string TiersAnnotation = "auspex.io/tiers";

    /// <summary>Annotation with the forecast quantile to cover.</summary>
    public const string QuantileAnnotation = "auspex.io/quantile";

    /// <summary>Translates <paramref name="pod"/>, starting its lifetime at <paramref name="now"/>.</summary>
    public static PodTranslationResult ToRequest(Pod pod, DateTimeOffset now, ExtenderOptions options, IReadOnlyList<string>? candidates)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(options);
        var meta = pod.Metadata;
        var ann = meta.Annotations ?? [];
        var labels = meta.Labels ?? [];
        var component = ann.GetValueOrDefault(ComponentAnnotation)
            ?? labels.GetValueOrDefault("app.kubernetes.io/name")
            ?? labels.GetValueOrDefault("app")
            ?? meta.Name;
        if (string.IsNullOrEmpty(component))
        {
            return new(null, "pod has no name and no app label");
        }
        var service = ann.GetValueOrDefault(ServiceAnnotation) ?? labels.GetValueOrDefault("app.kubernetes.io/part-of") ?? component;

        var cpu = 0.0;
        var mem = 0.0;
        foreach (var c in pod.Spec.Containers ?? [])
        {
            if (!Add(c.Resources?.Requests, ref cpu, ref mem, out var err))
            {
                return new(null, $"container {c.Name}: {err}");
            }
        }
        foreach (var c in pod.Spec.InitContainers ?? [])
        {
            double icpu = 0, imem = 0;
            if (!Add(c.Resources?.Requests, ref icpu, ref imem, out var err))
            {
                return new(null, $"init container {c.Name}: {err}");
            }
            cpu = Math.Max(cpu, icpu);
            mem = Math.Max(mem, imem);
        }
        if (!Add(pod.Spec.Overhead, ref cpu, ref mem, out var oerr))
        {
            return new(null, $"overhead: {oerr}");
        }

        var lifetime = options.DefaultLifetime;
        if (ann.TryGetValue(LifetimeAnnotation, out var lt) && !TryParseDuration(lt, out lifetime))
        {
            return new(null, $"annotation {LifetimeAnnotation}: '{lt}' is not a duration (e.g. 30m, 2h, 1d)");
        }
        double? quantile = null;
        if (ann.TryGetValue(QuantileAnnotation, out var qs))
        {
            if (!double.TryParse(qs, NumberStyles.Float, CultureInfo.InvariantCulture, out var q) || q is <= 0 or >= 1)
            {
                return new(null, $"annotation {QuantileAnnotation}: '{qs}' is not in (0, 1)");
            }
            quantile = q;
        }
        var tiers = ann.TryGetValue(TiersAnnotation, out var ts)
            ? ts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
        var request = new PlacementRequest(component, service, ResourceVector.Of((ResourceKind.Cpu, cpu), (ResourceKind.Memory, mem)), new TimeRange(now, now + lifetime))
        {
            Tiers = tiers,
            CandidateHosts = candidates,
            Quantile = quantile,
        };
        return new(request, null);
    }

    private static bool Add(Dictionary<string, string>? quantities, ref double cpu, ref double mem, out string? error)
    {
        error = null;
        if (quantities is null)
        {
            return true;
        }
        foreach (var (name, text) in quantities)
        {
            if (name is not ("cpu" or "memory"))
            {
                continue;
            }
            if (!KubeQuantity.TryParse(text, out var v))
            {
                error = $"{name} quantity '{text}' is not valid";
                return false;
            }
            if (name == "cpu")
            {
                cpu += v;
            }
            else
            {
                mem += v;
            }
        }
        return true;
    }

    /// <summary>Parses 90s, 30m, 2h, 1d, 1h30m or an ISO 8601 duration (PT2H).</summary>
    public static bool TryParseDuration(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var s = text.Trim();
        if (s.StartsWith('P'))
        {
            try
            {
                value = XmlConvert.ToTimeSpan(s);
                return value > TimeSpan.Zero;
            }
            catch (FormatException)
            {
                return false;
            }
        }
        var total = TimeSpan.Zero;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }
            if (start == i || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }
            var us = i;
            while (i < s.Length && char.IsLetter(s[i]))
            {
                i++;
            }
            var unit = s[us..i];
            if (unit is not ("ms" or "s" or "m" or "h" or "d"))
            {
                return false;
            }
            total += unit switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                "d" => TimeSpan.FromDays(n),
                _ => TimeSpan.FromDays(n),
            };
        }
        value = total;
        return total > TimeSpan.Zero;
    }
}
