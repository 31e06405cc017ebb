using System.Security.Cryptography;
using System.Text;

namespace Auspex.Server.Auth;

/// <summary>Roles, from least to most privileged.</summary>
public enum Role
{
    /// <summary>Reads everything of its tenant.</summary>
    Viewer,
    /// <summary>Also writes data (ingestion, imports) and acts on plans.</summary>
    Operator,
    /// <summary>Also changes configuration and keys.</summary>
    Admin,
}

/// <summary>An API key: only the SHA-256 of the token is kept, never the token.</summary>
/// <param name="Name">Who the key belongs to (shown in the audit log).</param>
/// <param name="Role">What it may do.</param>
/// <param name="Tenant">The only tenant whose data it reaches.</param>
/// <param name="TokenSha256">Lower-case hex SHA-256 of the token.</param>
public sealed record ApiKey(string Name, Role Role, string Tenant, string TokenSha256)
{
    /// <summary>The hex SHA-256 of a token.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>Authentication: the keys accepted. Mutating endpoints always require a key; reads are open only when <see cref="AnonymousReads"/>.</summary>
public sealed class AuthOptions
{
    /// <summary>The accepted keys.</summary>
    public IReadOnlyList<ApiKey> Keys { get; set; } = [];

    /// <summary>When true (the default), read endpoints answer without a key, as a viewer of the served tenant.</summary>
    public bool AnonymousReads { get; set; } = true;

    /// <summary>The key whose token hashes to <paramref name="tokenSha256"/>, compared in constant time, or null.</summary>
    public ApiKey? Find(string tokenSha256)
    {
        var given = Encoding.ASCII.GetBytes(tokenSha256);
        ApiKey? found = null;
        foreach (var k in Keys)
        {
            if (CryptographicOperations.FixedTimeEquals(given, Encoding.ASCII.GetBytes(k.TokenSha256)))
            {
                found = k;
            }
        }
        return found;
    }
}
