namespace Auspex.Placement.Selection;

/// <summary>How the steering function turns scores into a choice.</summary>
public enum SteeringMode
{
    /// <summary>Always the highest total (ties broken by host id). Deterministic; piles onto the top host.</summary>
    Greedy,
    /// <summary>Sample with probability ∝ exp((score − best) / temperature). The default.</summary>
    Softmax,
    /// <summary>Draw <see cref="PlacementOptions.Choices"/> feasible hosts uniformly and keep the best of them.</summary>
    PowerOfChoices,
}

/// <summary>Which amounts the LeastAllocated and BalancedAllocation scores are computed on.</summary>
public enum ResourceBasis
{
    /// <summary>The requests of the replicas already placed plus the incoming one (kube-scheduler's basis).</summary>
    Requests,
    /// <summary>The larger of placed requests and predicted usage at the high quantile, plus the incoming request. The default.</summary>
    PredictedUsage,
}

/// <summary>Options of select-a-locality. Every default is documented; <see cref="Validate"/> checks the ranges.</summary>
public sealed class PlacementOptions
{
    /// <summary>Forecast quantile the fit filter must cover over the request's lifetime (0–1). Default 0.95.</summary>
    public double Quantile { get; set; } = 0.95;

    /// <summary>Desirability (0–1) assumed for a host when neither it nor any ancestor has a score. Default 0.5 (neutral).</summary>
    public double MissingDesirability { get; set; } = 0.5;

    /// <summary>Basis of the LeastAllocated and BalancedAllocation scores. Default <see cref="ResourceBasis.PredictedUsage"/>.</summary>
    public ResourceBasis Basis { get; set; } = ResourceBasis.PredictedUsage;

    /// <summary>Weight of kube-scheduler's LeastAllocated score. Default 1 (its default weight).</summary>
    public double LeastAllocatedWeight { get; set; } = 1;

    /// <summary>Weight of kube-scheduler's BalancedAllocation score. Default 1 (its default weight).</summary>
    public double BalancedAllocationWeight { get; set; } = 1;

    /// <summary>Weight of the locality desirability score. Default 2: the predictive signal counts as much as both resource scores.</summary>
    public double DesirabilityWeight { get; set; } = 2;

    /// <summary>Weight of proximity to the services the component talks to. Default 1.</summary>
    public double ProximityWeight { get; set; } = 1;

    /// <summary>Weight of the soft spread score (fewer replicas of the same component nearby is better). Default 1.</summary>
    public double SpreadWeight { get; set; } = 1;

    /// <summary>Weight of preferred affinity terms (used only when a request has any). Default 2, as kube-scheduler's InterPodAffinity.</summary>
    public double AffinityWeight { get; set; } = 2;

    /// <summary>The steering function. Default <see cref="SteeringMode.Softmax"/>.</summary>
    public SteeringMode Steering { get; set; } = SteeringMode.Softmax;

    /// <summary>Softmax temperature in score points (0–100 scale), &gt; 0. Default 5: a host 10 points behind is chosen e⁻² ≈ 14% as often.</summary>
    public double Temperature { get; set; } = 5;

    /// <summary>Hosts drawn by <see cref="SteeringMode.PowerOfChoices"/> (≥ 2). Default 2.</summary>
    public int Choices { get; set; } = 2;

    /// <summary>Alternatives listed in a decision's explanation (≥ 0). Default 5.</summary>
    public int Alternatives { get; set; } = 5;

    /// <summary>
    /// Share of hosts (1–100 %) a single decision looks at before it stops filtering, as kube-scheduler's
    /// <c>percentageOfNodesToScore</c>: 0 (default) is kube's adaptive rule — 50 % − hosts/125, at least 5 %, and never
    /// fewer than 100 feasible hosts (every host below 100). Filtering starts at a host drawn from the decision's seed
    /// and stops once that many feasible hosts are found, so large fleets decide in a fraction of the time while
    /// every host stays reachable. 100 = every host every time. Applies to <see cref="ILocalitySelector.SelectLocality"/>
    /// without candidate hosts; <see cref="ILocalitySelector.Evaluate"/> always looks at every candidate.
    /// </summary>
    public int PercentageOfHostsToScore { get; set; }

    /// <summary>
    /// Feasible hosts a decision scores when it uses the snapshot's candidate index (0–10,000). Default 32. On a fleet
    /// of 100 hosts or more, <see cref="ILocalitySelector.SelectLocality"/> without candidate hosts then walks the hosts
    /// in the snapshot's precomputed order — best request-independent score first (LeastAllocated and
    /// BalancedAllocation on what is already in use at the snapshot's quantile, and desirability, with these options'
    /// weights) — plus the racks of the services the component talks to, and stops once it has this many feasible
    /// hosts; so a decision touches tens of hosts instead of hundreds. Filters and scores are the same as for a full
    /// evaluation; the steering function chooses among the hosts found. 0 = off: kube-scheduler's sampling by
    /// <see cref="PercentageOfHostsToScore"/>. <see cref="ILocalitySelector.Evaluate"/> always looks at every candidate.
    /// </summary>
    public int IndexedCandidates { get; set; } = 32;

    /// <summary>Throws <see cref="ArgumentException"/> when an option is out of range.</summary>
    public void Validate()
    {
        if (PercentageOfHostsToScore is < 0 or > 100)
        {
            throw new ArgumentException("PlacementOptions.PercentageOfHostsToScore must be 0 (adaptive) or 1–100.");
        }
        if (IndexedCandidates is < 0 or > 10_000)
        {
            throw new ArgumentException("PlacementOptions.IndexedCandidates must be 0 (off) or 1–10,000.");
        }
        if (Quantile is <= 0 or >= 1 || double.IsNaN(Quantile))
        {
            throw new ArgumentException("PlacementOptions.Quantile must be in (0, 1).");
        }
        if (MissingDesirability is < 0 or > 1 || double.IsNaN(MissingDesirability))
        {
            throw new ArgumentException("PlacementOptions.MissingDesirability must be in [0, 1].");
        }
        double[] weights = [LeastAllocatedWeight, BalancedAllocationWeight, DesirabilityWeight, ProximityWeight, SpreadWeight, AffinityWeight];
        if (weights.Any(w => !double.IsFinite(w) || w < 0))
        {
            throw new ArgumentException("PlacementOptions weights must be finite and ≥ 0.");
        }
        if (weights.Sum() <= 0)
        {
            throw new ArgumentException("PlacementOptions: at least one weight must be > 0.");
        }
        if (!double.IsFinite(Temperature) || Temperature <= 0)
        {
            throw new ArgumentException("PlacementOptions.Temperature must be finite and > 0.");
        }
        if (Choices < 2)
        {
            throw new ArgumentException("PlacementOptions.Choices must be ≥ 2.");
        }
        if (Alternatives < 0)
        {
            throw new ArgumentException("PlacementOptions.Alternatives must be ≥ 0.");
        }
        if (!Enum.IsDefined(Steering) || !Enum.IsDefined(Basis))
        {
            throw new ArgumentException("PlacementOptions.Steering or Basis is not a defined value.");
        }
    }
}
