using System.Reflection;
using Auspex.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Auspex.Server.Endpoints;

/// <summary>
/// Serves the dashboard from resources embedded in this assembly (works offline, no static-file folder, no CDN), and
/// its login/logout endpoints. Every answer carries a Content-Security-Policy that allows this origin only.
/// </summary>
internal static class DashboardEndpoints
{
    private static readonly Assembly Assembly = typeof(DashboardEndpoints).Assembly;

    // One ETag per build: the files are part of the assembly, so they change only with it.
    private static readonly string ETag = "\"" + Assembly.ManifestModule.ModuleVersionId.ToString("N") + "\"";

    /// <summary>Only this origin; inline styles are allowed because the pages and ECharts set style attributes.</summary>
    internal const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext ctx) => Serve(ctx, "index.html")).ExcludeFromDescription();
        app.MapGet("/ui/{*path}", (HttpContext ctx, string path) => Serve(ctx, path)).ExcludeFromDescription();
        app.MapSessionEndpoints();
        return app;
    }

    /// <summary>
    /// The embedded file; when the environment variable <c>AUSPEX_DASHBOARD_DIR</c> names a folder (for people
    /// developing the dashboard), files are read from there instead, so an edit shows on reload without a rebuild.
    /// </summary>
    private static Stream? Open(string path)
    {
        var dir = Environment.GetEnvironmentVariable("AUSPEX_DASHBOARD_DIR");
        if (string.IsNullOrEmpty(dir))
        {
            return Assembly.GetManifestResourceStream("wwwroot/" + path);
        }
        var root = Path.GetFullPath(dir);
        var full = Path.GetFullPath(Path.Combine(root, path));
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(full) ? File.OpenRead(full) : null;
    }

    private static IResult Serve(HttpContext ctx, string path)
    {
        if (path.Contains("..", StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal))
        {
            return Results.NotFound();
        }
        var stream = Open(path);
        if (stream is null)
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"the dashboard has no file '{path}'");
        }
        var headers = ctx.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        var fromDisk = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AUSPEX_DASHBOARD_DIR"));
        if (!fromDisk)
        {
            headers.ETag = ETag;
        }
        if (!fromDisk && ctx.Request.Headers.IfNoneMatch.ToString() == ETag)
        {
            stream.Dispose();
            return Results.StatusCode(304);
        }
        var type = Path.GetExtension(path) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".svg" => "image/svg+xml",
            ".png" => "image/png",
            ".json" => "application/json",
            ".md" or ".txt" or "" => "text/plain; charset=utf-8",
            _ => "application/octet-stream",
        };
        return Results.Stream(stream, type);
    }
}
