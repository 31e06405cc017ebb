using System.Text;
using Auspex.Anomalies.Internal;

namespace Auspex.Anomalies;

/// <summary>
/// The registry of detectors, by name (no reflection): create a fresh detector, or restore one from
/// <see cref="IAnomalyDetector.SaveState"/>.
/// </summary>
public static class AnomalyDetectors
{
    /// <summary>Forecast-residual detector: online Holt-Winters with a time-of-day profile and prediction intervals.</summary>
    public const string Residual = "residual";

    /// <summary>Robust seasonal decomposition (rolling median trend, per-slot median season, MAD-scaled remainder).</summary>
    public const string Seasonal = "seasonal";

    /// <summary>Bayesian online change-point detection (Adams &amp; MacKay) with a truncated run-length posterior.</summary>
    public const string ChangePoint = "bocpd";

    /// <summary>The ensemble of residual, seasonal and change-point detectors (largest surprise wins).</summary>
    public const string Ensemble = "ensemble";

    /// <summary>
    /// The ensemble plus a robust seasonal member with time-of-week slots that vetoes the daily members'
    /// alarms on points that are normal for their hour of the week (after two weeks of history).
    /// </summary>
    public const string EnsembleWeekly = "ensemble-weekly";

    /// <summary>
    /// ARTime (Hampton's NAB entry): dual-vigilance fuzzy ART over wavelet features of windows of the downsampled
    /// series; an anomaly is a window that resonates with no learnt category. Scores every few points (see
    /// <see cref="ArtimeSettings"/>); no likelihood stage.
    /// </summary>
    public const string Artime = "artime";

    /// <summary>
    /// <see cref="EnsembleWeekly"/> and <see cref="Artime"/> side by side: max(ensemble, 0.8 × ARTime), the
    /// reason of the winner (the weight was chosen on NAB's development half only).
    /// </summary>
    public const string EnsembleArtime = "ensemble-artime";

    /// <summary>Multivariate robust Mahalanobis detector across the metrics of one entity.</summary>
    public const string Mahalanobis = "mahalanobis";

    /// <summary>The default detector name.</summary>
    public const string DefaultName = EnsembleWeekly;

    /// <summary>Every univariate detector name, in the order documented in docs/anomalies.md.</summary>
    public static IReadOnlyList<string> Names { get; } = [EnsembleWeekly, Ensemble, Residual, Seasonal, ChangePoint, Artime, EnsembleArtime];

    /// <summary>Creates a fresh univariate detector.</summary>
    /// <exception cref="ArgumentException">The name is not in <see cref="Names"/>.</exception>
    public static IAnomalyDetector Create(string name, AnomalyDetectorOptions? options = null)
        => TryCreate(name, options, out var detector)
            ? detector
            : throw new ArgumentException($"Unknown anomaly detector '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));

    /// <summary>Creates a fresh univariate detector; false when the name is unknown.</summary>
    public static bool TryCreate(string name, AnomalyDetectorOptions? options, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IAnomalyDetector? detector)
    {
        var built = Build(name, (options ?? AnomalyDetectorOptions.Default).Validate());
        detector = built;
        return built is not null;
    }

    /// <summary>
    /// Creates an <see cref="Artime"/> detector with explicit settings (e.g. the probationary period and input
    /// range a benchmark gives every detector).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting or option is out of range.</exception>
    public static IAnomalyDetector CreateArtime(ArtimeSettings settings, AnomalyDetectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ArtimeDetector((options ?? AnomalyDetectorOptions.Default).Validate(), settings.Validate());
    }

    /// <summary>Restores a univariate detector from <see cref="IAnomalyDetector.SaveState"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a detector state this version can read.</exception>
    public static IAnomalyDetector Restore(byte[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(state, writable: false), Encoding.UTF8);
            var (name, options) = DetectorState.ReadHeader(reader);
            if (name == Artime)
            {
                // the payload starts with the base fields (version, count, tolerance), then ARTime's settings
                var start = reader.BaseStream.Position;
                reader.ReadInt32();
                reader.ReadInt64();
                reader.ReadDouble();
                var settings = ArtimeDetector.ReadSettings(reader);
                reader.BaseStream.Position = start;
                var artime = new ArtimeDetector(options, settings);
                artime.Read(reader);
                return artime;
            }
            var detector = Build(name, options) ?? throw new InvalidDataException($"Unknown anomaly detector '{name}' in saved state.");
            detector.Read(reader);
            return detector;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("Truncated anomaly-detector state.", e);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException("Corrupt anomaly-detector state: " + e.Message, e);
        }
    }

    /// <summary>Creates a multivariate robust-Mahalanobis detector over <paramref name="dimensions"/> metrics.</summary>
    public static IMultivariateAnomalyDetector CreateMultivariate(int dimensions, AnomalyDetectorOptions? options = null)
        => new MahalanobisDetector(dimensions, (options ?? AnomalyDetectorOptions.Default).Validate());

    /// <summary>Restores a multivariate detector from <see cref="IMultivariateAnomalyDetector.SaveState"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a multivariate detector state this version can read.</exception>
    public static IMultivariateAnomalyDetector RestoreMultivariate(byte[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(state, writable: false), Encoding.UTF8);
            var (name, options) = DetectorState.ReadHeader(reader);
            return name == Mahalanobis
                ? MahalanobisDetector.Read(reader, options)
                : throw new InvalidDataException($"'{name}' is not a multivariate detector.");
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("Truncated anomaly-detector state.", e);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException("Corrupt anomaly-detector state: " + e.Message, e);
        }
    }

    private static DetectorBase? Build(string name, AnomalyDetectorOptions options)
    {
        DetectorBase? raw = name switch
        {
            Residual => new ResidualDetector(options),
            Seasonal => new RobustSeasonalDetector(options),
            ChangePoint => new ChangePointDetector(options),
            Ensemble => new EnsembleDetector(options),
            EnsembleWeekly => new EnsembleDetector(EnsembleWeekly, options, weekly: true),
            Artime => new ArtimeDetector(options, ArtimeSettings.Default),
            _ => null,
        };
        if (raw is ArtimeDetector)
        {
            return raw; // ARTime's confidence is its score: no likelihood stage
        }
        if (name == EnsembleArtime)
        {
            return new ArtimeEnsembleDetector(options, Build(EnsembleWeekly, options)!);
        }
        return raw is null || !options.Likelihood ? raw : new LikelihoodDetector(raw, options);
    }
}
