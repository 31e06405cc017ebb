using System.Text.Json;
using System.Text.Json.Serialization;
using Auspex.Engine;
using Auspex.Server.Auth;
using Auspex.Server.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Auspex.Server;

/// <summary>Builds the HTTP server around a started <see cref="AuspexRuntime"/>: REST API, OpenAPI, health, metrics, dashboard.</summary>
public static class AuspexServer
{
    /// <summary>Builds the web application; the loop runs as a hosted service while the app runs.</summary>
    public static WebApplication Build(AuspexRuntime runtime, ServerOptions options, bool quiet = false, Auth.AuthOptions? auth = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(AuspexServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            k.Listen(System.Net.IPAddress.Parse(options.Host), options.Port);
            if (options.GrpcPort is { } grpcPort)
            {
                k.Listen(System.Net.IPAddress.Parse(options.Host), grpcPort, l => l.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2);
            }
        });
        builder.Logging.ClearProviders();
        if (!quiet)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        }
        builder.Services.AddSingleton(runtime);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(auth ?? new Auth.AuthOptions());
        builder.Services.AddSingleton(runtime.Fleet);
        builder.Services.AddSingleton<TickBroadcaster>();
        builder.Services.AddSingleton(new Auth.SessionStore(TimeProvider.System));
        builder.Services.AddHostedService<LoopHostedService>();
        builder.Services.AddSingleton<LatestScores>();
        // gzip/br for JSON, scripts and pages (the heatmap's JSON shrinks ~3×; event streams are not compressed).
        builder.Services.AddResponseCompression(o =>
        {
            o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProvider>();
            o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProvider>();
        });
        builder.Services.AddExtender();
        builder.Services.AddPlacements();
        builder.Services.AddPlanRunner();
        builder.Services.AddGrpc();
        builder.Services.Configure<JsonOptions>(o => Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Auspex API";
            doc.Info.Description = "Predictive infrastructure management: localities and their scores, series, forecasts.";
            doc.Info.Version = "v1";
            return Task.CompletedTask;
        }));
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseResponseCompression();
        app.UseReadGuard();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapHealthEndpoints();
        app.MapMetricsEndpoint();
        app.MapLocalityEndpoints();
        app.MapSeriesEndpoints();
        app.MapForecastModelEndpoints();
        app.MapStatusEndpoints();
        app.MapIngestEndpoints();
        app.MapExtenderEndpoints();
        app.MapSimulationEndpoints();
        app.MapAlertEndpoints();
        app.MapPlacementEndpoints();
        app.MapAnomalyEndpoints();
        app.MapPlanEndpoints();
        app.MapPrometheusApiEndpoints();
        app.MapScalingEndpoints();
        app.MapGrpcService<Keda.KedaScalerService>();
        app.MapDashboard();
        app.MapHeatmapEndpoints();
        return app;
    }

    /// <summary>The JSON conventions of the API: camelCase, enums as strings, no indentation.</summary>
    public static void Configure(JsonSerializerOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        o.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
    }

    /// <summary>The address of the KEDA external scaler (HTTP/2), once started, or null when it is not served.</summary>
    public static Uri? GrpcAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addrs = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.ToList();
        return addrs.Count < 2 ? null : new Uri(addrs[1].Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>The address the app listens on, once started.</summary>
    public static Uri BaseAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addr = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        return new Uri(addr.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
    }

    internal static IResult Problem(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail);
}
