using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Auspex.Core.Series;

namespace Auspex.Ingestion.RemoteWrite;

/// <summary>
/// Remembers parsed series keys by their exact encoded form — the protobuf label bytes of remote_write, or the
/// <c>name{labels}</c> text of an exposition line — so a sender that repeats the same series (Prometheus sends every
/// series every scrape interval; a target exposes the same series every scrape) pays for label parsing and validation
/// once. Thread-safe; emptied when it reaches <see cref="Capacity"/>. Share one cache per set of limits and per format
/// (a key enters it only after passing the checks in force), e.g. one per tenant, or one per scrape target.
/// </summary>
public sealed class SeriesKeyCache
{
    private readonly ConcurrentDictionary<byte[], SeriesKey> _keys = new(ByteComparer.Instance);
    private readonly ConcurrentDictionary<string, SeriesKey> _textKeys = new(StringComparer.Ordinal);

    /// <summary>Creates a cache holding at most <paramref name="capacity"/> keys (default 1,000,000).</summary>
    public SeriesKeyCache(int capacity = 1_000_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>Most keys held before the cache is emptied.</summary>
    public int Capacity { get; }

    /// <summary>Keys held.</summary>
    public int Count => _keys.Count + _textKeys.Count;

    internal bool TryGet(ReadOnlySpan<byte> labelBytes, out SeriesKey key) =>
        _keys.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(labelBytes, out key);

    internal void Add(ReadOnlySpan<byte> labelBytes, SeriesKey key)
    {
        if (Count >= Capacity)
        {
            _keys.Clear();
            _textKeys.Clear();
        }
        _keys.TryAdd(labelBytes.ToArray(), key);
    }

    internal bool TryGet(ReadOnlySpan<char> seriesText, out SeriesKey key) =>
        _textKeys.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(seriesText, out key);

    internal void Add(ReadOnlySpan<char> seriesText, SeriesKey key)
    {
        if (Count >= Capacity)
        {
            _keys.Clear();
            _textKeys.Clear();
        }
        _textKeys.TryAdd(seriesText.ToString(), key);
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
