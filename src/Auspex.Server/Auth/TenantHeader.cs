using Auspex.Core.Series;
using Microsoft.AspNetCore.Http;

namespace Auspex.Server.Auth;

/// <summary>
/// The tenant of a request from <c>X-Scope-OrgID</c> (the Cortex/Mimir convention) or from the API key. A request may
/// name a tenant only when its key belongs to that tenant or is an admin key; anonymous reads (when allowed) reach the
/// served tenant only. Used by the Prometheus-compatible read API and by the ingestion endpoints.
/// </summary>
internal static class TenantHeader
{
    /// <summary>The header's name.</summary>
    public const string Name = "X-Scope-OrgID";

    /// <summary>The tenant named by the header: null when absent; an error when it is malformed or names several.</summary>
    public static TenantId? Named(HttpContext ctx, out string? error)
    {
        error = null;
        var values = ctx.Request.Headers[Name];
        if (values.Count == 0)
        {
            return null;
        }
        var text = values.Count == 1 ? values[0]?.Trim() ?? "" : string.Join(",", values.ToArray());
        if (values.Count > 1 || text.Contains('|', StringComparison.Ordinal))
        {
            error = $"{Name} '{text}' names several tenants; Auspex serves one tenant per request";
            return null;
        }
        if (!TenantId.IsValid(text))
        {
            error = $"{Name} '{text}' is not a tenant id: use 1-63 characters of a-z, 0-9, '-' or '_'";
            return null;
        }
        return new TenantId(text);
    }

    /// <summary>
    /// The tenant a read reaches: the header's when the key may name it; else the key's; else (anonymous reads) the
    /// served tenant. <paramref name="denied"/> holds the status (400/401/403) and message when refused.
    /// </summary>
    public static TenantId? ForRead(HttpContext ctx, AuthOptions auth, TenantId served, out (int Status, string Message)? denied)
    {
        denied = null;
        var named = Named(ctx, out var error);
        var key = ApiKeyAuth.Caller(ctx, auth);
        if (key is null)
        {
            if (!auth.AnonymousReads || ctx.Request.Headers.Authorization.Count > 0)
            {
                ctx.Response.Headers.WWWAuthenticate = "Bearer realm=\"auspex\"";
                denied = (401, ctx.Request.Headers.Authorization.Count > 0
                    ? "the API key is not valid"
                    : "reads need an API key here: send 'Authorization: Bearer <token>' (or basic auth with the token as password)");
                return null;
            }
            if (error is not null)
            {
                denied = (400, error);
                return null;
            }
            if (named is { } t && t != served)
            {
                denied = (403, $"anonymous callers read the served tenant '{served}' only; send an API key of tenant '{t}' (or an admin key) to read it");
                return null;
            }
            return served;
        }
        if (error is not null)
        {
            denied = (400, error);
            return null;
        }
        if (named is { } n)
        {
            if (n.Value != key.Tenant && key.Role != Role.Admin)
            {
                denied = (403, $"key '{key.Name}' belongs to tenant '{key.Tenant}' and may not read tenant '{n}' named by {Name}; only an admin key may name another tenant");
                return null;
            }
            return n;
        }
        if (!TenantId.IsValid(key.Tenant))
        {
            denied = (403, $"key '{key.Name}' has an invalid tenant '{key.Tenant}'");
            return null;
        }
        return new TenantId(key.Tenant);
    }

    /// <summary>
    /// The tenant a write goes to: the header's when present (the key must belong to it or be an admin key), else the
    /// served tenant (the key must belong to it). Null with the 400/401/403 answer when refused.
    /// </summary>
    public static TenantId? ForWrite(HttpContext ctx, AuthOptions auth, TenantId served, Role role, out IResult? denied)
    {
        var named = Named(ctx, out var error);
        if (error is not null)
        {
            // Authenticate first, so anonymous callers learn nothing beyond "401".
            denied = ApiKeyAuth.Require(ctx, auth, role, served.Value, namedByHeader: true)
                ?? AuspexServer.Problem(400, "Bad tenant", error);
            return null;
        }
        var tenant = named ?? served;
        denied = ApiKeyAuth.Require(ctx, auth, role, tenant.Value, namedByHeader: named is not null);
        return denied is null ? tenant : null;
    }
}
