namespace Auspex.Scoring;

/// <summary>
/// The Network Proximity part of a locality: the mean latency per unit of traffic from the locality to what its
/// workloads talk to (or, for a locality running none, to where the fleet's traffic is).
/// </summary>
/// <param name="Locality">Locality id.</param>
/// <param name="MeanLatencyMs">Traffic-weighted mean latency in ms.</param>
/// <param name="OwnWorkloads">True when computed from the dependencies of components placed here; false for the fleet-traffic fallback.</param>
/// <param name="TrafficWeight">Total weight (calls/s + bytes/s ÷ BytesPerCall) behind the mean.</param>
/// <param name="Value">Normalised desirability: reference / (reference + latency).</param>
public sealed record ProximityEstimate(string Locality, double MeanLatencyMs, bool OwnWorkloads, double TrafficWeight, double Value);
