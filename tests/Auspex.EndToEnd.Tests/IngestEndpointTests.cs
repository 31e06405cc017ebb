using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Auspex.Core.Series;
using Auspex.Ingestion;
using Auspex.Ingestion.RemoteWrite;
using Auspex.Testing;

namespace Auspex.EndToEnd.Tests;

[Collection("demo")]
public sealed class IngestEndpointTests(DemoServerFixture demo)
{
    private static readonly DateTimeOffset T = new(2013, 8, 8, 0, 0, 0, TimeSpan.Zero);

    private static HttpRequestMessage Post(string url, byte[] body, string? token, string contentType = "application/x-protobuf")
    {
        var req = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        req.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (token is not null)
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return req;
    }

    private static byte[] RemoteWrite(string metric, params double[] values) =>
        RemoteWriteEncoder.Encode([new SeriesData(new SeriesKey(metric, Labels.Of("job", "e2e")),
            values.Select((v, i) => new Sample(T.AddMinutes(i), v)).ToList())]);

    private async Task<int> PointsOf(string selector)
    {
        var sel = Uri.EscapeDataString(selector);
        var data = await demo.Http.GetFromJsonAsync<JsonElement>($"/api/v1/series/query?match={sel}&from=0&to=2000000000&resolution=raw");
        return data.EnumerateArray().Sum(s => s.GetProperty("points").GetArrayLength());
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong-token", HttpStatusCode.Unauthorized)]
    [InlineData(DemoServerFixture.ViewerToken, HttpStatusCode.Forbidden)]
    [InlineData(DemoServerFixture.OtherTenantToken, HttpStatusCode.Forbidden)]
    public async Task RemoteWrite_WithoutAnOperatorKeyOfTheTenant_IsRefusedAndStoresNothing(string? token, HttpStatusCode expected)
    {
        var r = await demo.Http.SendAsync(Post("/api/v1/write", RemoteWrite("e2e_denied_total", 1, 2), token));
        Assert.Equal(expected, r.StatusCode);
        Assert.Equal(0, await PointsOf("e2e_denied_total"));
    }

    [Fact]
    public async Task RemoteWrite_Valid_204_AndSkipsStaleAndNaN()
    {
        var body = RemoteWrite("e2e_pushed", 1, 2, StaleMarker.Value, double.NaN, 5);
        var r = await demo.Http.SendAsync(Post("/api/v1/write", body, DemoServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        Assert.Equal(3, await PointsOf("e2e_pushed{job=\"e2e\"}"));
    }

    [Fact]
    public async Task RemoteWrite_Malformed_400WithReason_AndBasicAuthWorks()
    {
        var req = Post("/api/v1/write", [0xff, 0xff, 0xff, 0x01, 0x02], null);
        req.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("prometheus:" + DemoServerFixture.OperatorToken)));
        var r = await demo.Http.SendAsync(req);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(await r.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task RemoteWrite_SeriesAlreadyKnown_TruncatedOrCorruptedBody_400NamingWhatWasWrong()
    {
        // The endpoint remembers series keys by their label bytes: a second request with the same labels skips label
        // decoding, and must still refuse a truncated or corrupted remainder with a 400 that says what was wrong.
        var key = new SeriesKey("e2e_cached_total", Labels.Of("job", "e2e"));
        var good = RemoteWriteEncoder.EncodeUncompressed([new SeriesData(key, [new Sample(T, 1)])]);
        var ok = await demo.Http.SendAsync(Post("/api/v1/write", Snappier.Snappy.CompressToArray(good), DemoServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);

        var truncated = await demo.Http.SendAsync(Post("/api/v1/write", Snappier.Snappy.CompressToArray(good.AsSpan(0, good.Length - 3).ToArray()), DemoServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.BadRequest, truncated.StatusCode);
        Assert.Contains("truncated", await truncated.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The value 1.0 ends in F0 3F; the timestamp's tag (field 2, varint: 0x10) follows. Make it fixed64 (0x11).
        var corrupted = (byte[])good.Clone();
        var at = corrupted.AsSpan().IndexOf([(byte)0xF0, (byte)0x3F, (byte)0x10]);
        Assert.True(at > 0);
        corrupted[at + 2] = 0x11;
        var wrong = await demo.Http.SendAsync(Post("/api/v1/write", Snappier.Snappy.CompressToArray(corrupted), DemoServerFixture.OperatorToken));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        var message = await wrong.Content.ReadAsStringAsync();
        Assert.Contains("Sample.timestamp", message, StringComparison.Ordinal);
        Assert.Contains("byte ", message, StringComparison.Ordinal);
        Assert.Equal(1, await PointsOf("e2e_cached_total"));
    }

    [Fact]
    public async Task InfluxV1AndV2_Valid_204_Invalid_400NamingTheLine()
    {
        var ok = await demo.Http.SendAsync(Post("/write?db=x&precision=s", Encoding.UTF8.GetBytes("e2e_influx,host=a usage=0.5 1376000000\ne2e_influx,host=a usage=0.7 1376000060\n"), DemoServerFixture.OperatorToken, "text/plain"));
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        Assert.Equal(2, await PointsOf("e2e_influx_usage{host=\"a\"}"));
        var ok2 = await demo.Http.SendAsync(Post("/api/v2/write?org=o&bucket=b&precision=ms", Encoding.UTF8.GetBytes("e2e_influx2 v=1i 1376000000000\n"), DemoServerFixture.OperatorToken, "text/plain"));
        Assert.Equal(HttpStatusCode.NoContent, ok2.StatusCode);
        var bad = await demo.Http.SendAsync(Post("/write?precision=s", Encoding.UTF8.GetBytes("e2e_influx,host=a usage=0.5 1376000000\nbroken line here\n"), DemoServerFixture.OperatorToken, "text/plain"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var err = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid", err.GetProperty("code").GetString());
        Assert.Contains("2", err.GetProperty("message").GetString(), StringComparison.Ordinal);
        var prec = await demo.Http.SendAsync(Post("/write?precision=fortnights", Encoding.UTF8.GetBytes("x v=1\n"), DemoServerFixture.OperatorToken, "text/plain"));
        Assert.Equal(HttpStatusCode.BadRequest, prec.StatusCode);
    }

    [Fact]
    public async Task ImportCsv_BadRow_400WithLine_GoodFile_Stored()
    {
        var bad = await demo.Http.SendAsync(Post("/api/v1/import", Encoding.UTF8.GetBytes("unique_id,ds,y,metric\na,2013-08-08T00:00:00Z,1,e2e_csv\na,2013-08-08T00:05:00Z,x,e2e_csv\n"), DemoServerFixture.OperatorToken, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("request body:3: series 'a': y 'x' is not a number", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await PointsOf("e2e_csv"));
        var ok = await demo.Http.SendAsync(Post("/api/v1/import", Encoding.UTF8.GetBytes("unique_id,ds,y,metric\na,2013-08-08T00:00:00Z,1,e2e_csv\na,2013-08-08T00:05:00Z,2,e2e_csv\n"), DemoServerFixture.OperatorToken, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(2, await PointsOf("e2e_csv"));
    }

    [RequiresProgramFact("/usr/bin/prometheus", "apt-get install -y prometheus")]
    public async Task RealPrometheus_RemoteWritesIntoAuspex()
    {
        using var dir = new TempDirectory();
        var promPort = Programs.FreePort();
        var cfg = dir.File("prometheus.yml");
        await File.WriteAllTextAsync(cfg, $"""
            global: {"{"}scrape_interval: 1s{"}"}
            scrape_configs:
              - job_name: self
                static_configs: [{"{"}targets: ['127.0.0.1:{promPort}']{"}"}]
            remote_write:
              - url: {demo.BaseAddress}api/v1/write
                authorization: {"{"}credentials: {DemoServerFixture.OperatorToken}{"}"}
                queue_config: {"{"}batch_send_deadline: 1s, min_backoff: 100ms{"}"}
            """);
        var psi = new ProcessStartInfo("/usr/bin/prometheus",
        [
            "--config.file=" + cfg, "--storage.tsdb.path=" + dir.File("tsdb"),
            "--web.listen-address=127.0.0.1:" + promPort.ToString(CultureInfo.InvariantCulture),
        ])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using var prom = Process.Start(psi)!;
        var log = new StringBuilder();
        prom.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        prom.BeginErrorReadLine();
        try
        {
            var sw = Stopwatch.StartNew();
            var seen = 0;
            while (sw.Elapsed < TimeSpan.FromSeconds(60) && seen == 0 && !prom.HasExited)
            {
                await Task.Delay(1000);
                var found = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/series?match=" + Uri.EscapeDataString("up{job=\"self\"}"));
                seen = found.GetArrayLength();
            }
            string text;
            lock (log)
            {
                text = log.ToString();
            }
            Assert.True(seen > 0, "Prometheus' own 'up' series never arrived through remote_write. Prometheus log:\n" + text[^Math.Min(text.Length, 3000)..]);
        }
        finally
        {
            if (!prom.HasExited)
            {
                prom.Kill(entireProcessTree: true);
                await prom.WaitForExitAsync();
            }
        }
    }
}
