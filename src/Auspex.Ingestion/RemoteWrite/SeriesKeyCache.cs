using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Auspex.Core.Series;

namespace Auspex.Ingestion.RemoteWrite;

/// <summary>
/// Remembers decoded series keys by the exact bytes of their protobuf labels, so a sender that repeats the same series
/// (Prometheus sends every series every scrape interval) pays for label decoding and validation once. Thread-safe;
/// emptied when it reaches <see cref="Capacity"/>. Share one cache per set of <see cref="RemoteWriteLimits"/> (a key
/// enters it only after passing the limits in force), e.g. one per tenant.
/// </summary>
public sealed class SeriesKeyCache
{
    private readonly ConcurrentDictionary<byte[], SeriesKey> _keys = new(ByteComparer.Instance);

    /// <summary>Creates a cache holding at most <paramref name="capacity"/> keys (default 1,000,000).</summary>
    public SeriesKeyCache(int capacity = 1_000_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>Most keys held before the cache is emptied.</summary>
    public int Capacity { get; }

    /// <summary>Keys held.</summary>
    public int Count => _keys.Count;

    internal bool TryGet(ReadOnlySpan<byte> labelBytes, out SeriesKey key) =>
        _keys.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(labelBytes, out key);

    internal void Add(ReadOnlySpan<byte> labelBytes, SeriesKey key)
    {
        if (_keys.Count >= Capacity)
        {
            _keys.Clear();
        }
        _keys.TryAdd(labelBytes.ToArray(), key);
    }

    private sealed class ByteComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
