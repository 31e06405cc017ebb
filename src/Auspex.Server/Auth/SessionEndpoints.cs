using System.Text.Json;
using Auspex.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Auspex.Server.Auth;

/// <summary>What the dashboard knows about its caller.</summary>
/// <param name="Authenticated">True when a key (bearer, basic or session cookie) identified the caller.</param>
/// <param name="Via">"session", "bearer" or "anonymous".</param>
/// <param name="Name">The key's name; null when anonymous.</param>
/// <param name="Role">The caller's role: the key's, or viewer for an anonymous caller when anonymous reads are on; null otherwise.</param>
/// <param name="Tenant">The key's tenant, or the served tenant for an anonymous caller.</param>
/// <param name="AnonymousReads">Whether reads are open without a key on this server.</param>
/// <param name="CsrfToken">The session's CSRF token (only for a session-cookie caller): send it as <c>X-Auspex-Csrf</c> on requests that change data.</param>
/// <param name="ExpiresAt">When the session ends (only for a session-cookie caller).</param>
public sealed record SessionView(bool Authenticated, string Via, string? Name, string? Role, string Tenant, bool AnonymousReads, string? CsrfToken, DateTimeOffset? ExpiresAt);

/// <summary>The login request: the API key to exchange for a session cookie.</summary>
/// <param name="Key">The API key (token) itself.</param>
public sealed record LoginRequest(string? Key);

/// <summary>Login and logout for the dashboard: an API key is exchanged for an HttpOnly, SameSite=Strict session cookie.</summary>
internal static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/session").WithTags("Session");
        g.MapGet("/", (HttpContext ctx, AuthOptions auth, AuspexRuntime rt) => Results.Ok(View(ctx, auth, rt)))
            .WithName("GetSession")
            .WithSummary("Who the caller is (key name, role, tenant) and, for a session-cookie caller, the CSRF token its mutating requests must send.")
            .Produces<SessionView>();
        g.MapPost("/", async (HttpContext ctx, AuthOptions auth, SessionStore sessions, AuspexRuntime rt) =>
            {
                LoginRequest? req;
                try
                {
                    req = await ctx.Request.ReadFromJsonAsync<LoginRequest>(ctx.RequestAborted);
                }
                catch (JsonException e)
                {
                    return AuspexServer.Problem(400, "Bad login request", $"body: expected JSON {{\"key\": \"<api key>\"}} ({e.Message})");
                }
                catch (InvalidOperationException)
                {
                    return AuspexServer.Problem(415, "Unsupported media type", "body: send JSON {\"key\": \"<api key>\"} with Content-Type: application/json");
                }
                if (req is null || string.IsNullOrWhiteSpace(req.Key))
                {
                    return AuspexServer.Problem(400, "Bad login request", "body: field 'key' is missing or empty");
                }
                if (req.Key.Length > 4096)
                {
                    return AuspexServer.Problem(400, "Bad login request", "body: field 'key' is longer than 4096 characters");
                }
                var key = auth.Find(ApiKey.Hash(req.Key.Trim()));
                if (key is null)
                {
                    return AuspexServer.Problem(401, "Login failed", "this API key is not known to the server");
                }
                if (!string.Equals(key.Tenant, rt.Loop.Tenant.Value, StringComparison.Ordinal))
                {
                    return AuspexServer.Problem(403, "Forbidden", $"key '{key.Name}' belongs to another tenant");
                }
                var (id, session) = sessions.Open(key);
                ctx.Response.Cookies.Append(SessionStore.CookieName, id, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Strict,
                    Secure = ctx.Request.IsHttps,
                    Path = "/",
                    Expires = session.ExpiresAt,
                    IsEssential = true,
                });
                return Results.Ok(new SessionView(true, "session", key.Name, RoleName(key.Role), key.Tenant, auth.AnonymousReads, session.CsrfToken, session.ExpiresAt));
            })
            .WithName("Login")
            .WithSummary("Exchanges an API key for a session cookie (HttpOnly, SameSite=Strict, 12 h); 401 for an unknown key.")
            .Accepts<LoginRequest>("application/json")
            .Produces<SessionView>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(415);
        g.MapDelete("/", (HttpContext ctx, AuthOptions auth, SessionStore sessions) =>
            {
                var (_, session) = ApiKeyAuth.Resolve(ctx, auth);
                if (session is not null && !ApiKeyAuth.CsrfMatches(ctx, session))
                {
                    return AuspexServer.Problem(403, "CSRF check failed", $"logging out needs the session's token in the '{SessionStore.CsrfHeader}' header");
                }
                ctx.Request.Cookies.TryGetValue(SessionStore.CookieName, out var sid);
                sessions.Close(sid);
                ctx.Response.Cookies.Delete(SessionStore.CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = ctx.Request.IsHttps });
                return Results.NoContent();
            })
            .WithName("Logout")
            .WithSummary("Ends the dashboard session and clears its cookie (204 even when there was none).")
            .Produces(204).ProducesProblem(403);
        return app;
    }

    private static SessionView View(HttpContext ctx, AuthOptions auth, AuspexRuntime rt)
    {
        var (key, session) = ApiKeyAuth.Resolve(ctx, auth);
        if (key is null)
        {
            return new SessionView(false, "anonymous", null, auth.AnonymousReads ? "viewer" : null, rt.Loop.Tenant.Value, auth.AnonymousReads, null, null);
        }
        return new SessionView(true, session is null ? "bearer" : "session", key.Name, RoleName(key.Role), key.Tenant, auth.AnonymousReads,
            session?.CsrfToken, session?.ExpiresAt);
    }

    private static string RoleName(Role role) => role.ToString().ToLowerInvariant();
}
