namespace Auspex.Simulation.WhatIf;

/// <summary>An SLO's predicted state.</summary>
/// <param name="Target">Component or service the SLO is on.</param>
/// <param name="TargetMs">The p99 latency target.</param>
/// <param name="P99Ms">The predicted p99 latency (null when it cannot be served: utilisation ≥ 1 or no live host).</param>
/// <param name="Utilisation">CPU utilisation of the component's busiest host.</param>
/// <param name="Violated">True when the prediction misses the target.</param>
public sealed record SloPrediction(string Target, double TargetMs, double? P99Ms, double? Utilisation, bool Violated);

/// <summary>One side (live or shadow) summarised.</summary>
/// <param name="MeanDesirability">Mean desirability over scored localities (null when none was scored).</param>
/// <param name="MinDesirability">Lowest desirability.</param>
/// <param name="PeakUtilisation">Highest host utilisation (tightest resource).</param>
/// <param name="Warning">Hosts at or above the warning threshold.</param>
/// <param name="Critical">Hosts at or above the critical threshold.</param>
/// <param name="CostPerHour">Hosts' tier prices per hour × scaling factor.</param>
/// <param name="Slos">Each latency SLO's prediction.</param>
/// <param name="SloViolations">SLOs predicted to be violated.</param>
public sealed record WhatIfSummary(double? MeanDesirability, double? MinDesirability, double? PeakUtilisation, int Warning, int Critical, double CostPerHour,
    IReadOnlyList<SloPrediction> Slos, int SloViolations);

/// <summary>Live and shadow summaries of one state.</summary>
public sealed record WhatIfSide(WhatIfSummary Live, WhatIfSummary Shadow);

/// <summary>One locality's values in one state.</summary>
public sealed record WhatIfLocalityState(double? LiveUtilisation, double? ShadowUtilisation, double? Desirability);

/// <summary>One locality before and after the scenario.</summary>
public sealed record WhatIfLocality(string Id, string Kind, bool Failed, WhatIfLocalityState Baseline, WhatIfLocalityState Scenario);

/// <summary>The predicted effect of a scenario.</summary>
/// <param name="At">The forecasts' time.</param>
/// <param name="ElapsedMilliseconds">How long the evaluation took.</param>
/// <param name="Baseline">Today.</param>
/// <param name="Scenario">With the scenario applied.</param>
/// <param name="Localities">Every locality, parents first.</param>
/// <param name="Notes">Assumptions and things worth knowing (e.g. load with nowhere to go).</param>
public sealed record WhatIfResult(DateTimeOffset At, double ElapsedMilliseconds, WhatIfSide Baseline, WhatIfSide Scenario, IReadOnlyList<WhatIfLocality> Localities, IReadOnlyList<string> Notes);
