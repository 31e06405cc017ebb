using System.Globalization;

namespace Auspex.Anomalies.Internal;

/// <summary>
/// <see cref="AnomalyDetectors.EnsembleArtime"/>: <c>ensemble-weekly</c> (with its likelihood stage unless the
/// options turn it off) and <c>artime</c> side by side; the score is max(ensemble, 0.8 × artime) and the reason
/// is the winner's. The weight 0.8 was chosen on the development half of NAB only (bench/RESULTS.md). State: both
/// members' states.
/// </summary>
internal sealed class ArtimeEnsembleDetector : DetectorBase
{
    /// <summary>The weight of ARTime's score against the ensemble's.</summary>
    public const double ArtimeWeight = 0.8;

    private IAnomalyDetector _ensemble;
    private IAnomalyDetector _artime;

    public ArtimeEnsembleDetector(AnomalyDetectorOptions options, IAnomalyDetector ensemble)
        : base(AnomalyDetectors.EnsembleArtime, options)
    {
        _ensemble = ensemble;
        _artime = AnomalyDetectors.Create(AnomalyDetectors.Artime, options);
    }

    protected override int Warmup => 0; // each member has its own

    protected override double Step(DateTimeOffset at, double value, out string reason)
    {
        var e = _ensemble.Update(at, value);
        var a = _artime.Update(at, value);
        var weighted = ArtimeWeight * a.Score;
        if (weighted > e.Score)
        {
            reason = string.Create(CultureInfo.InvariantCulture, $"artime ×{ArtimeWeight}: {a.Reason}");
            return weighted;
        }
        reason = e.Reason;
        return e.Score;
    }

    protected override void WritePayload(BinaryWriter writer)
    {
        foreach (var state in new[] { _ensemble.SaveState(), _artime.SaveState() })
        {
            writer.Write(state.Length);
            writer.Write(state);
        }
    }

    protected override void ReadPayload(BinaryReader reader)
    {
        _ensemble = AnomalyDetectors.Restore(ReadState(reader));
        _artime = AnomalyDetectors.Restore(ReadState(reader));
        if (_ensemble.Name != AnomalyDetectors.EnsembleWeekly || _artime.Name != AnomalyDetectors.Artime)
        {
            throw new InvalidDataException($"'{AnomalyDetectors.EnsembleArtime}' state holds '{_ensemble.Name}' and '{_artime.Name}'.");
        }

        static byte[] ReadState(BinaryReader reader)
        {
            var n = reader.ReadInt32();
            if (n < 0 || n > (64 << 20))
            {
                throw new InvalidDataException($"Member state of {n} bytes in '{AnomalyDetectors.EnsembleArtime}' state.");
            }
            var bytes = reader.ReadBytes(n);
            return bytes.Length == n ? bytes : throw new EndOfStreamException();
        }
    }
}
