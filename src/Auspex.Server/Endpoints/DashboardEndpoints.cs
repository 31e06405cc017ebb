using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Auspex.Server.Endpoints;

/// <summary>Serves the dashboard from resources embedded in this assembly (works offline, no static-file folder).</summary>
internal static class DashboardEndpoints
{
    private static readonly Assembly Assembly = typeof(DashboardEndpoints).Assembly;

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Serve("index.html")).ExcludeFromDescription();
        app.MapGet("/ui/{*path}", (string path) => Serve(path)).ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(string path)
    {
        if (path.Contains("..", StringComparison.Ordinal))
        {
            return Results.NotFound();
        }
        var stream = Assembly.GetManifestResourceStream("wwwroot/" + path);
        if (stream is null)
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"the dashboard has no file '{path}'");
        }
        var type = Path.GetExtension(path) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".svg" => "image/svg+xml",
            ".json" => "application/json",
            _ => "application/octet-stream",
        };
        return Results.Stream(stream, type);
    }
}
