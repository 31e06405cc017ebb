using Auspex.Placement.Selection;

namespace Auspex.Kubernetes.Extender;

internal sealed class AuspexSchedulerExtender(ILocalitySelector selector, Func<PlacementSnapshot> snapshot, TimeProvider time, ExtenderOptions options)
    : ISchedulerExtender
{
    private const string Prefix = "auspex: ";

    public ExtenderFilterResult Filter(ExtenderArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var names = NodeNames(args);
        var result = new ExtenderFilterResult();
        if (args.Pod is null)
        {
            result.Error = Prefix + "request has no Pod";
            return result;
        }
        var (evaluation, error) = Evaluate(args.Pod, names, snapshot());
        if (evaluation is null)
        {
            result.Error = Prefix + error;
            return result;
        }
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in evaluation.Rejections)
        {
            if (r.Plugin == "Topology" && options.UnknownNodes == UnknownNodePolicy.Pass)
            {
                continue;
            }
            failed[r.Host] = $"{Prefix}{r.Plugin}: {r.Reason}";
        }
        if (options.FailuresAreUnresolvable)
        {
            result.FailedAndUnresolvableNodes = failed;
        }
        else
        {
            result.FailedNodes = failed;
        }
        if (args.NodeNames is not null)
        {
            result.NodeNames = names.Where(n => !failed.ContainsKey(n)).ToList();
        }
        else if (args.Nodes is not null)
        {
            result.Nodes = new NodeList
            {
                Items = args.Nodes.Items.Where(n => !failed.ContainsKey(n.Metadata.Name ?? "")).ToList(),
                Other = args.Nodes.Other,
            };
        }
        return result;
    }

    public List<HostPriority> Prioritize(ExtenderArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var names = NodeNames(args);
        var scores = new List<HostPriority>(names.Count);
        PlacementEvaluation? evaluation = null;
        var snap = snapshot();
        if (args.Pod is not null)
        {
            evaluation = Evaluate(args.Pod, names, snap).Evaluation;
        }
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (var i = 0; i < (evaluation?.FeasibleCount ?? 0); i++)
        {
            min = Math.Min(min, evaluation!.Total(i));
            max = Math.Max(max, evaluation.Total(i));
        }
        var stretch = options.StretchScores && max > min;
        foreach (var n in names)
        {
            long score;
            var i = evaluation?.IndexOf(n) ?? -1;
            if (i >= 0)
            {
                var t = evaluation!.Total(i);
                score = stretch
                    ? 1 + (long)Math.Round(9 * (t - min) / (max - min), MidpointRounding.AwayFromZero)
                    : (long)Math.Round(t / 10, MidpointRounding.AwayFromZero);
            }
            else
            {
                // Unknown nodes (or a pod Auspex cannot read) get the neutral score; nodes Auspex filtered out get 0.
                score = evaluation is null || !snap.ContainsHost(n) ? options.UnknownNodeScore : ExtenderLimits.MinPriority;
            }
            scores.Add(new HostPriority { Host = n, Score = Math.Clamp(score, ExtenderLimits.MinPriority, ExtenderLimits.MaxPriority) });
        }
        return scores;
    }

    private (PlacementEvaluation? Evaluation, string? Error) Evaluate(Pod pod, List<string> names, PlacementSnapshot snap)
    {
        var translated = PodTranslation.ToRequest(pod, time.GetUtcNow(), options, names);
        if (translated.Request is null)
        {
            return (null, translated.Error);
        }
        return (selector.Evaluate(translated.Request, snap), null);
    }

    private static List<string> NodeNames(ExtenderArgs args) =>
        args.NodeNames ?? args.Nodes?.Items.Select(n => n.Metadata.Name).OfType<string>().ToList() ?? [];
}
