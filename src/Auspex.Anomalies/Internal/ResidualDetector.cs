using System.Globalization;

namespace Auspex.Anomalies.Internal;

/// <summary>
/// Forecast-residual detector. Its own online forecaster is additive Holt-Winters with a time-of-day
/// seasonal profile (<see cref="AnomalyDetectorOptions.SlotsPerDay"/> slots, keyed by timestamp so irregular
/// sampling is fine). The prediction interval comes from an exponentially weighted mean absolute residual
/// (σ ≈ 1.2533·MAE), never narrower than a share of the long-run residual scale (quantised or mostly
/// flat series otherwise get a near-zero interval and turn every step into an alarm). The raw score maps the surprise −ln 2Q(|z|) of the standardised residual z to [0, 1). Updates are
/// Huber-clipped at 4σ so an outlier does not drag the model. Memory: O(SlotsPerDay).
/// </summary>
internal sealed class ResidualDetector : DetectorBase
{
    private const double Alpha = 0.15;   // level
    private const double Gamma = 0.05;   // seasonal profile
    private const double Beta = 0.01;    // residual scale
    private const double LongBeta = 1.0 / 2000; // long-run residual scale
    private const double LongShare = 0.3;       // the interval never narrows below this share of the long-run scale
    private const double Clip = 4.0;
    private const double MinSeasonVisits = 2;

    private readonly double[] _season;
    private readonly int[] _visits;
    private double _level;
    private double _mae;
    private double _longMae;
    private long _n;
    private readonly SpreadFloor _spread = new();

    public ResidualDetector(AnomalyDetectorOptions options)
        : base(AnomalyDetectors.Residual, options)
    {
        _season = new double[options.SlotsPerDay];
        _visits = new int[options.SlotsPerDay];
    }

    /// <summary>The last one-step forecast and its standard deviation (for tests and reasons).</summary>
    public (double Forecast, double Sigma) LastForecast { get; private set; }

    /// <summary>The surprise (nats) of the last point.</summary>
    public double LastSurprise { get; private set; }

    protected override double Step(DateTimeOffset at, double value, out string reason)
    {
        var slot = SeasonSlot.Of(at, _season.Length);
        if (_n == 0)
        {
            _level = value;
            _n = 1;
            _visits[slot]++;
            _spread.Add(value);
            reason = "first point";
            LastForecast = (value, 0);
            return 0;
        }
        var season = _visits[slot] >= MinSeasonVisits ? _season[slot] : 0;
        var forecast = _level + season;
        var sigma = Math.Max(1.2533 * Math.Max(_mae, LongShare * _longMae), Math.Max(Floor(_level), _spread.Floor));
        var e = value - forecast;
        var z = e / sigma;
        LastForecast = (forecast, sigma);

        var ec = Math.Clamp(e, -Clip * sigma, Clip * sigma);
        var x = forecast + ec;
        var newLevel = (Alpha * (x - season)) + ((1 - Alpha) * _level);
        _season[slot] = _visits[slot] == 0 ? x - newLevel : (Gamma * (x - newLevel)) + ((1 - Gamma) * _season[slot]);
        _visits[slot] = Math.Min(_visits[slot] + 1, int.MaxValue - 1);
        _level = newLevel;
        _mae = _n == 1 ? Math.Abs(ec) : (Beta * Math.Abs(ec)) + ((1 - Beta) * _mae);
        _longMae = _n == 1 ? Math.Abs(ec) : (LongBeta * Math.Abs(ec)) + ((1 - LongBeta) * _longMae);
        _n++;
        _spread.Add(value);

        reason = string.Create(CultureInfo.InvariantCulture,
            $"value {value:G4} {(e >= 0 ? "above" : "below")} forecast {forecast:G4} ±{1.96 * sigma:G3} (z={z:F1})");
        LastSurprise = MathUtil.SurpriseOfZ(z);
        return MathUtil.ScoreOfSurprise(LastSurprise);
    }

    /// <summary>
/// An absolute last-resort scale floor (relative to the level, so tiny) for a series that has never moved; the
/// working floor is <see cref="SpreadFloor"/>, which keeps scores invariant to shifting and scaling the series.
/// </summary>
    internal static double Floor(double level) => 1e-9 * Math.Max(Math.Abs(level), 1e-3);

    protected override void WritePayload(BinaryWriter writer)
    {
        writer.Write(_level);
        writer.Write(_mae);
        writer.Write(_longMae);
        writer.Write(_n);
        _spread.Write(writer);
        DetectorState.WriteArray(writer, _season);
        DetectorState.WriteArray(writer, _visits);
    }

    protected override void ReadPayload(BinaryReader reader)
    {
        _level = reader.ReadDouble();
        _mae = reader.ReadDouble();
        _longMae = reader.ReadDouble();
        _n = reader.ReadInt64();
        _spread.Read(reader);
        DetectorState.ReadArray(reader, _season);
        DetectorState.ReadArray(reader, _visits);
    }
}
