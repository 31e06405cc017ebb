namespace Auspex.Engine.Clock;

/// <summary>
/// A clock that starts at a chosen instant and runs <see cref="Factor"/> times faster than the inner clock; timers
/// are scaled to match. The demo replays a week of trace in minutes with the same loop code that runs live.
/// </summary>
public sealed class AcceleratedTimeProvider : TimeProvider
{
    private readonly TimeProvider _inner;
    private readonly DateTimeOffset _start;
    private readonly long _innerStart;

    /// <summary>Creates a clock showing <paramref name="start"/> now and advancing <paramref name="factor"/>× faster.</summary>
    public AcceleratedTimeProvider(DateTimeOffset start, double factor, TimeProvider? inner = null)
    {
        if (!double.IsFinite(factor) || factor <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), "The acceleration factor must be positive.");
        }
        _inner = inner ?? System;
        _start = start;
        Factor = factor;
        _innerStart = _inner.GetTimestamp();
    }

    /// <summary>Simulated seconds per real second.</summary>
    public double Factor { get; }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() =>
        _start + TimeSpan.FromTicks((long)(_inner.GetElapsedTime(_innerStart).Ticks * Factor));

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(_inner.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    private TimeSpan Scale(TimeSpan t) =>
        t == Timeout.InfiniteTimeSpan ? t : TimeSpan.FromTicks(Math.Max(0, (long)(t.Ticks / Factor)));

    private sealed class ScaledTimer(ITimer inner, AcceleratedTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
