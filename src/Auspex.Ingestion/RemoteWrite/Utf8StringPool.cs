using System.Text;
using System.Text.Unicode;

namespace Auspex.Ingestion.RemoteWrite;

/// <summary>
/// Turns UTF-8 bytes into strings, handing back the same instance for repeated content (label names and values repeat
/// across the series of a request). Rejects invalid UTF-8.
/// </summary>
internal sealed class Utf8StringPool
{
    private const int PooledMaxLength = 256;
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);

    /// <summary>Returns the string, or null when the bytes are not valid UTF-8.</summary>
    public string? Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return "";
        }
        if (utf8.Length > PooledMaxLength)
        {
            try
            {
                return Strict.GetString(utf8);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
        }
        Span<char> chars = stackalloc char[PooledMaxLength];
        var status = Utf8.ToUtf16(utf8, chars, out _, out var written, replaceInvalidSequences: false);
        if (status != System.Buffers.OperationStatus.Done)
        {
            return null;
        }
        var span = chars[..written];
        var lookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(span, out var existing))
        {
            return existing;
        }
        var created = new string(span);
        _pool.Add(created, created);
        return created;
    }
}
