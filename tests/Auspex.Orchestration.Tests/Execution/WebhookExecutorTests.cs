using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Auspex.Orchestration.Execution;

namespace Auspex.Orchestration.Tests.Execution;

/// <summary>The webhook executor against a real HTTP server (HttpListener) on loopback.</summary>
public sealed class WebhookExecutorTests : IAsyncDisposable
{
    private const string Secret = "whsec_test_0123456789abcdef";
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly ConcurrentQueue<(int Code, string Body)> _answers = new();
    private readonly Task _serve;
    private readonly CancellationTokenSource _stop = new();

    private sealed record Received(string Body, string? Signature, string? Key, DateTimeOffset At);

    public WebhookExecutorTests()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = new Uri($"http://127.0.0.1:{port}/auspex/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _serve = Task.Run(ServeAsync);
    }

    private Uri Url { get; }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            _received.Enqueue(new Received(body, ctx.Request.Headers["X-Auspex-Signature"], ctx.Request.Headers["Idempotency-Key"], TimeProvider.System.GetUtcNow()));
            var (code, answer) = _answers.TryDequeue(out var a) ? a : (200, "{}");
            ctx.Response.StatusCode = code;
            var bytes = Encoding.UTF8.GetBytes(answer);
            await ctx.Response.OutputStream.WriteAsync(bytes);
            ctx.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        await _serve;
        _stop.Dispose();
    }

    private WebhookExecutor Executor(int maxAttempts = 4) => new(new WebhookExecutorOptions
    {
        Urls = [Url],
        Secret = Secret,
        MaxAttempts = maxAttempts,
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
        Timeout = TimeSpan.FromSeconds(5),
    }, TimeProvider.System, jitterSeed: 7);

    [Fact]
    public async Task Execute_PostsTheStepSigned_AndTheSignatureVerifiesWithTheSecretOnly()
    {
        using var ex = Executor();
        var r = await ex.ExecuteAsync(new ScaleStep("web", "aws/spot", 4), dryRun: false);

        Assert.Equal(StepStatus.Applied, r.Status);
        var got = Assert.Single(_received);
        Assert.NotNull(got.Signature);
        Assert.Matches("^t=[0-9]+,v1=[0-9a-f]{64}$", got.Signature);
        Assert.True(WebhookExecutor.Verify(Secret, got.Signature!, got.Body, got.At, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookExecutor.Verify("another-secret-of-16+", got.Signature!, got.Body, got.At, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookExecutor.Verify(Secret, got.Signature!, got.Body + " ", got.At, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookExecutor.Verify(Secret, got.Signature!, got.Body, got.At.AddHours(1), TimeSpan.FromMinutes(5)));
        using var doc = JsonDocument.Parse(got.Body);
        Assert.Equal("scale", doc.RootElement.GetProperty("step").GetProperty("kind").GetString());
        Assert.Equal(4, doc.RootElement.GetProperty("step").GetProperty("replicas").GetInt32());
        Assert.False(doc.RootElement.GetProperty("dryRun").GetBoolean());
        Assert.Equal(got.Key, doc.RootElement.GetProperty("id").GetString());
        Assert.DoesNotContain(Secret, r.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_503ThenSuccess_RetriesWithTheSameIdempotencyKey()
    {
        _answers.Enqueue((503, "busy"));
        _answers.Enqueue((503, "busy"));
        using var ex = Executor();
        var r = await ex.ExecuteAsync(new PoolSizeStep("aws/spot", 3), dryRun: false);

        Assert.Equal(StepStatus.Applied, r.Status);
        Assert.Contains("attempt 3", r.Detail, StringComparison.Ordinal);
        var all = _received.ToArray();
        Assert.Equal(3, all.Length);
        Assert.Single(all.Select(x => x.Key).Distinct());
        Assert.False(string.IsNullOrEmpty(all[0].Key));
        Assert.Single(all.Select(x => x.Body).Distinct());
        Assert.All(all, x => Assert.True(WebhookExecutor.Verify(Secret, x.Signature!, x.Body, x.At, TimeSpan.FromMinutes(5))));
    }

    [Fact]
    public async Task Execute_400_IsNotRetried_AndFailsNamingTheAnswer()
    {
        _answers.Enqueue((400, "unknown component web"));
        using var ex = Executor();
        var r = await ex.ExecuteAsync(new ScaleStep("web", "aws/spot", 4), dryRun: false);

        Assert.Equal(StepStatus.Failed, r.Status);
        Assert.Contains("400", r.Detail, StringComparison.Ordinal);
        Assert.Contains("unknown component web", r.Detail, StringComparison.Ordinal);
        Assert.Single(_received);
    }

    [Fact]
    public async Task Execute_5xxEveryTime_GivesUpAfterMaxAttempts()
    {
        for (var i = 0; i < 5; i++)
        {
            _answers.Enqueue((502, ""));
        }
        using var ex = Executor(maxAttempts: 3);
        var r = await ex.ExecuteAsync(new ScaleStep("web", "aws/spot", 4), dryRun: false);

        Assert.Equal(StepStatus.Failed, r.Status);
        Assert.Contains("gave up after 3 attempts", r.Detail, StringComparison.Ordinal);
        Assert.Equal(3, _received.Count);
    }

    [Fact]
    public async Task Execute_ReceiverReturnsUndoAndAlreadyInState_AreHonoured()
    {
        _answers.Enqueue((200, """{"status":"applied","undo":{"kind":"scale","component":"web","tier":"aws/spot","replicas":2}}"""));
        _answers.Enqueue((200, """{"status":"alreadyInState"}"""));
        using var ex = Executor();
        var first = await ex.ExecuteAsync(new ScaleStep("web", "aws/spot", 4), dryRun: false);
        var second = await ex.ExecuteAsync(new ScaleStep("web", "aws/spot", 4), dryRun: false);

        Assert.Equal(new ScaleStep("web", "aws/spot", 2), first.Undo);
        Assert.Equal(StepStatus.AlreadyInState, second.Status);
    }

    [Fact]
    public async Task DryRun_IsSentAsADryRun()
    {
        using var ex = Executor();
        var r = await ex.ExecuteAsync(new CordonStep("n1", true), dryRun: true);

        Assert.Equal(StepStatus.DryRun, r.Status);
        using var doc = JsonDocument.Parse(Assert.Single(_received).Body);
        Assert.True(doc.RootElement.GetProperty("dryRun").GetBoolean());
    }

    [Fact]
    public void Backoff_GrowsExponentially_WithinItsJitterBand_AndIsCapped()
    {
        using var ex = new WebhookExecutor(new WebhookExecutorOptions
        {
            Urls = [Url],
            Secret = Secret,
            InitialBackoff = TimeSpan.FromSeconds(1),
            MaxBackoff = TimeSpan.FromSeconds(8),
        }, TimeProvider.System, jitterSeed: 1);
        for (var attempt = 1; attempt <= 6; attempt++)
        {
            var full = Math.Min(8, Math.Pow(2, attempt - 1));
            var d = ex.Backoff(attempt, null).TotalSeconds;
            Assert.InRange(d, full / 2, full);
        }
        Assert.Equal(TimeSpan.FromSeconds(8), ex.Backoff(1, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Options_ShortSecretAndBadUrl_AreRefusedWithoutShowingTheSecret()
    {
        var e = Assert.Throws<ArgumentException>(() => new WebhookExecutor(new WebhookExecutorOptions { Urls = [new Uri("ftp://x/")], Secret = "short-secret" }, TimeProvider.System));
        Assert.Contains("at least 16 characters", e.Message, StringComparison.Ordinal);
        Assert.Contains("not an absolute http(s) URL", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short-secret", e.Message, StringComparison.Ordinal);
    }
}
