using Auspex.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Auspex.Server.Auth;

/// <summary>
/// Who may read the REST API under <c>/api/v1</c> (GET and HEAD): the served tenant's localities, scores, series,
/// forecasts, alerts, plans and events. Without a key: only when anonymous reads are on, and only the served tenant.
/// With a key (bearer, basic or the dashboard's session): a key of the served tenant, or an admin key that names the
/// served tenant in <c>X-Scope-OrgID</c>. <c>X-Scope-OrgID</c> naming another tenant is refused: this API serves one
/// tenant (the Prometheus-compatible API under <c>/prometheus/api/v1</c> reads any tenant's series the key may read).
/// <c>GET /api/v1/session</c> stays open: it is how the login page learns who is calling.
/// </summary>
internal static class ReadGuard
{
    public static IApplicationBuilder UseReadGuard(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        if (Applies(ctx.Request) && Check(ctx) is { } denied)
        {
            await denied.ExecuteAsync(ctx);
            return;
        }
        await next(ctx);
    });

    private static bool Applies(HttpRequest req) =>
        (HttpMethods.IsGet(req.Method) || HttpMethods.IsHead(req.Method))
        && req.Path.StartsWithSegments("/api/v1", StringComparison.Ordinal)
        && !req.Path.StartsWithSegments("/api/v1/session", StringComparison.Ordinal);

    /// <summary>Null when the caller may read the served tenant; else the 400/401/403/404 answer.</summary>
    internal static IResult? Check(HttpContext ctx)
    {
        var auth = ctx.RequestServices.GetRequiredService<AuthOptions>();
        var served = ctx.RequestServices.GetRequiredService<AuspexRuntime>().Loop.Tenant;
        var named = TenantHeader.Named(ctx, out var headerError);
        var (key, _) = ApiKeyAuth.Resolve(ctx, auth);
        if (key is null)
        {
            var presented = ctx.Request.Headers.Authorization.Count > 0;
            if (presented || !auth.AnonymousReads)
            {
                ctx.Response.Headers.WWWAuthenticate = "Bearer realm=\"auspex\"";
                return AuspexServer.Problem(401, "Authentication required", presented
                    ? "the API key is not valid"
                    : "reads need an API key here: send 'Authorization: Bearer <token>' (or log in to the dashboard)");
            }
            if (headerError is not null)
            {
                return AuspexServer.Problem(400, "Bad tenant", headerError);
            }
            return named is { } t && t != served
                ? AuspexServer.Problem(403, "Forbidden", $"anonymous callers read the served tenant '{served}' only; tenant '{t}' named by {TenantHeader.Name} is not theirs")
                : null;
        }
        if (headerError is not null)
        {
            return AuspexServer.Problem(400, "Bad tenant", headerError);
        }
        if (named is { } n && n != served)
        {
            return key.Role == Role.Admin || key.Tenant == n.Value
                ? AuspexServer.Problem(404, "Unknown tenant", $"this server's localities, scores and plans are tenant '{served}''s; tenant '{n}' named by {TenantHeader.Name} has none here (its series: /prometheus/api/v1 with {TenantHeader.Name})")
                : AuspexServer.Problem(403, "Forbidden", $"key '{key.Name}' belongs to tenant '{key.Tenant}' and may not read tenant '{n}' named by {TenantHeader.Name}");
        }
        if (key.Tenant != served.Value && !(key.Role == Role.Admin && named is not null))
        {
            return AuspexServer.Problem(403, "Forbidden", $"key '{key.Name}' belongs to tenant '{key.Tenant}'; this server serves tenant '{served}'"
                + (key.Role == Role.Admin ? $" (an admin key may read it by naming it in {TenantHeader.Name})" : ""));
        }
        return null;
    }
}
