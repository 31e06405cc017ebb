namespace Auspex.Simulation.World;

/// <summary>
/// A <see cref="TimeProvider"/> the simulator moves by hand: time stands still until <see cref="AdvanceTo"/>. Every
/// component that takes a <see cref="TimeProvider"/> (forecasting windows, the pre-provisioning queue, alert timers)
/// runs on it unchanged, which is what makes a simulation the product's own code on another clock.
/// </summary>
public sealed class SimulatedClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>Moves the clock to <paramref name="at"/>; time never goes backwards.</summary>
    public void AdvanceTo(DateTimeOffset at)
    {
        if (at.UtcTicks < Interlocked.Read(ref _ticks))
        {
            throw new ArgumentOutOfRangeException(nameof(at), at, "the simulated clock never goes backwards");
        }
        Interlocked.Exchange(ref _ticks, at.UtcTicks);
    }
}
