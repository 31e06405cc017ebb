using System.Text;
using Microsoft.AspNetCore.Http;

namespace Auspex.Server.Auth;

/// <summary>
/// Resolves the caller from <c>Authorization: Bearer TOKEN</c> or <c>Authorization: Basic</c> (any user name, the
/// token as password — what Prometheus' <c>basic_auth</c> sends), and checks role and tenant. Tokens are never logged.
/// </summary>
internal static class ApiKeyAuth
{
    public static ApiKey? Caller(HttpContext ctx, AuthOptions auth)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        string? token = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header[7..].Trim();
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

    /// <summary>Null when the caller may act with <paramref name="role"/> on <paramref name="tenant"/>; otherwise the 401/403 answer.</summary>
    public static IResult? Require(HttpContext ctx, AuthOptions auth, Role role, string tenant)
    {
        var key = Caller(ctx, auth);
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
        if (!string.Equals(key.Tenant, tenant, StringComparison.Ordinal))
        {
            return AuspexServer.Problem(403, "Forbidden", $"key '{key.Name}' belongs to another tenant");
        }
        ctx.Items["auspex.actor"] = key.Name;
        return null;
    }
}
