namespace Auspex.Bench.Nab;

/// <summary>A NAB application profile (cost matrix); A_TN is never used by the scorer.</summary>
internal sealed record NabProfile(string Name, double TruePositive, double FalsePositive, double FalseNegative)
{
    public static IReadOnlyList<NabProfile> All { get; } =
    [
        new("standard", 1.0, 0.11, 1.0),
        new("reward_low_FP_rate", 1.0, 0.22, 1.0),
        new("reward_low_FN_rate", 1.0, 0.11, 2.0),
    ];
}
