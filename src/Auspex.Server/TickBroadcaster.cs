using System.Threading.Channels;
using Auspex.Engine.Loop;

namespace Auspex.Server;

/// <summary>Fans tick reports out to server-sent-event subscribers; a slow subscriber drops old ticks, never blocks the loop.</summary>
internal sealed class TickBroadcaster
{
    private readonly object _gate = new();
    private readonly List<Channel<TickReport>> _subscribers = [];

    public void Publish(TickReport report)
    {
        lock (_gate)
        {
            foreach (var c in _subscribers)
            {
                c.Writer.TryWrite(report);
            }
        }
    }

    public ChannelReader<TickReport> Subscribe(CancellationToken until)
    {
        var c = Channel.CreateBounded<TickReport>(new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            _subscribers.Add(c);
        }
        until.Register(() =>
        {
            lock (_gate)
            {
                _subscribers.Remove(c);
            }
            c.Writer.TryComplete();
        });
        return c.Reader;
    }
}
