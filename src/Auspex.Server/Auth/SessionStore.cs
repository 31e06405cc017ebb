using System.Security.Cryptography;

namespace Auspex.Server.Auth;

/// <summary>A dashboard session: who logged in, until when, and the token its mutating requests must echo (CSRF).</summary>
/// <param name="Key">The API key the session was opened with.</param>
/// <param name="ExpiresAt">When the session ends (absolute, never extended).</param>
/// <param name="CsrfToken">Sent back by the page in the <c>X-Auspex-Csrf</c> header on every mutating request.</param>
internal sealed record Session(ApiKey Key, DateTimeOffset ExpiresAt, string CsrfToken);

/// <summary>
/// Server-side dashboard sessions, in memory. The browser holds only an opaque random id in an HttpOnly,
/// SameSite=Strict cookie; the store keeps its SHA-256, so neither the id nor the API key is ever kept in clear.
/// A restart logs everyone out; at most <see cref="MaxSessions"/> live at once (the oldest go first).
/// </summary>
internal sealed class SessionStore(TimeProvider clock)
{
    /// <summary>The cookie that carries the session id.</summary>
    public const string CookieName = "auspex_session";

    /// <summary>The header a cookie-authenticated mutating request must carry, holding the session's CSRF token.</summary>
    public const string CsrfHeader = "X-Auspex-Csrf";

    /// <summary>How long a session lasts.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    /// <summary>The most sessions kept at once.</summary>
    public const int MaxSessions = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>Opens a session for <paramref name="key"/>; returns the id to put in the cookie (shown only here).</summary>
    public (string Id, Session Session) Open(ApiKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var csrf = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var now = clock.GetUtcNow();
        var session = new Session(key, now + Lifetime, csrf);
        lock (_gate)
        {
            Sweep(now);
            while (_sessions.Count >= MaxSessions)
            {
                _sessions.Remove(_sessions.MinBy(kv => kv.Value.ExpiresAt).Key);
            }
            _sessions[ApiKey.Hash(id)] = session;
        }
        return (id, session);
    }

    /// <summary>The live session with this id, or null when unknown or expired.</summary>
    public Session? Find(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 128)
        {
            return null;
        }
        var hash = ApiKey.Hash(id);
        lock (_gate)
        {
            if (!_sessions.TryGetValue(hash, out var s))
            {
                return null;
            }
            if (s.ExpiresAt <= clock.GetUtcNow())
            {
                _sessions.Remove(hash);
                return null;
            }
            return s;
        }
    }

    /// <summary>Ends the session with this id; false when there was none.</summary>
    public bool Close(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return false;
        }
        lock (_gate)
        {
            return _sessions.Remove(ApiKey.Hash(id));
        }
    }

    /// <summary>Live sessions (for tests and metrics).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                Sweep(clock.GetUtcNow());
                return _sessions.Count;
            }
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var kv in _sessions.Where(kv => kv.Value.ExpiresAt <= now).ToList())
        {
            _sessions.Remove(kv.Key);
        }
    }
}
