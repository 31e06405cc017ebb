using System.Text;
using Microsoft.AspNetCore.Http;

namespace Auspex.Server.Auth;

/// <summary>
/// Resolves the caller from <c>Authorization: Bearer TOKEN</c>, <c>Authorization: Token TOKEN</c> (what InfluxDB
/// clients send) or <c>Authorization: Basic</c> (any user name, the token as password — what Prometheus' <c>basic_auth</c> sends), or else from the dashboard's session cookie,
/// and checks role and tenant. A cookie-authenticated request that changes data must also carry its session's CSRF
/// token in <c>X-Auspex-Csrf</c>. Tokens are never logged.
/// </summary>
internal static class ApiKeyAuth
{
    public static ApiKey? Caller(HttpContext ctx, AuthOptions auth) => Resolve(ctx, auth).Key;

    /// <summary>The caller's key and, when it came from the session cookie, that session.</summary>
    public static (ApiKey? Key, Session? Session) Resolve(HttpContext ctx, AuthOptions auth)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(auth);
        if (ctx.Request.Headers.Authorization.Count == 0
            && ctx.Request.Cookies.TryGetValue(SessionStore.CookieName, out var sid)
            && ctx.RequestServices.GetService(typeof(SessionStore)) is SessionStore sessions
            && sessions.Find(sid) is { } session)
        {
            // The key may have been removed from the configuration since the login.
            return auth.Find(session.Key.TokenSha256) is { } key ? (key, session) : (null, null);
        }
        return (Bearer(ctx, auth), null);
    }

    private static ApiKey? Bearer(HttpContext ctx, AuthOptions auth)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        string? token = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header[7..].Trim();
        }
        else if (header.StartsWith("Token ", StringComparison.OrdinalIgnoreCase))
        {
            // What InfluxDB clients and Telegraf send (`Authorization: Token <token>`): the same key.
            token = header[6..].Trim();
        }
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                token = colon >= 0 ? decoded[(colon + 1)..] : null;
            }
            catch (FormatException)
            {
                token = null;
            }
        }
        return string.IsNullOrEmpty(token) ? null : auth.Find(ApiKey.Hash(token));
    }

    /// <summary>
    /// Null when the caller may act with <paramref name="role"/> on <paramref name="tenant"/>; otherwise the 401/403 answer.
    /// With <paramref name="namedByHeader"/> the tenant came from <c>X-Scope-OrgID</c>, and an admin key may name any tenant.
    /// </summary>
    public static IResult? Require(HttpContext ctx, AuthOptions auth, Role role, string tenant, bool namedByHeader = false)
    {
        var (key, session) = Resolve(ctx, auth);
        if (key is null)
        {
            ctx.Response.Headers.WWWAuthenticate = "Bearer realm=\"auspex\"";
            return AuspexServer.Problem(401, "Authentication required",
                "this endpoint changes data: send 'Authorization: Bearer <token>' (or basic auth with the token as password) with an API key of role operator or admin");
        }
        if (key.Role < role)
        {
            return AuspexServer.Problem(403, "Forbidden", $"key '{key.Name}' has role {key.Role.ToString().ToLowerInvariant()}; this needs {role.ToString().ToLowerInvariant()}");
        }
        if (!string.Equals(key.Tenant, tenant, StringComparison.Ordinal) && !(namedByHeader && key.Role == Role.Admin))
        {
            return AuspexServer.Problem(403, "Forbidden", namedByHeader
                ? $"key '{key.Name}' belongs to tenant '{key.Tenant}' and may not act on tenant '{tenant}' named by {TenantHeader.Name}; only an admin key may name another tenant"
                : $"key '{key.Name}' belongs to another tenant");
        }
        if (session is not null && !HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method)
            && !HttpMethods.IsOptions(ctx.Request.Method) && !CsrfMatches(ctx, session))
        {
            return AuspexServer.Problem(403, "CSRF check failed",
                $"a request authenticated by the session cookie that changes data must send the session's token in the '{SessionStore.CsrfHeader}' header (GET /api/v1/session returns it)");
        }
        ctx.Items["auspex.actor"] = key.Name;
        return null;
    }

    internal static bool CsrfMatches(HttpContext ctx, Session session)
    {
        var sent = ctx.Request.Headers[SessionStore.CsrfHeader].ToString();
        return sent.Length == session.CsrfToken.Length
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(sent), Encoding.ASCII.GetBytes(session.CsrfToken));
    }
}
