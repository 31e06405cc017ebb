using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Auspex.Core.Series;

namespace Auspex.Server.Tests.Endpoints;

/// <summary>InfluxDB clients send <c>Authorization: Token &lt;key&gt;</c>: the Influx endpoints take it like Bearer.</summary>
public sealed class InfluxTokenAuthTests(PromApiFixture f) : IClassFixture<PromApiFixture>
{
    private async Task<(HttpStatusCode Status, string Body)> Write(string path, string host, string scheme, string token)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent($"influx_token_test,host={host} v=1 1700000000\n", Encoding.UTF8, "text/plain"),
        };
        req.Headers.Authorization = new AuthenticationHeaderValue(scheme, token);
        using var r = await f.Http.SendAsync(req);
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    private bool Stored(string host) => f.Runtime.Store.Series.FindSeries(new TenantId("alpha"), [LabelMatcher.Eq("host", host)]).Count > 0;

    [Theory]
    [InlineData("/write?db=x&precision=s", "Token")]
    [InlineData("/api/v2/write?org=o&bucket=b&precision=s", "Token")]
    [InlineData("/write?db=x&precision=s", "Bearer")]
    [InlineData("/api/v2/write?org=o&bucket=b&precision=s", "Bearer")]
    public async Task OperatorKey_AsTokenOrBearer_Writes(string path, string scheme)
    {
        var host = $"tok-{scheme}-{path.Length}";
        var (status, body) = await Write(path, host, scheme, PromApiFixture.AlphaOperator);
        Assert.True(status == HttpStatusCode.NoContent, $"{(int)status} {body}");
        Assert.True(Stored(host));
    }

    [Theory]
    [InlineData(PromApiFixture.AlphaViewer, HttpStatusCode.Forbidden, "has role viewer; this needs operator")]
    [InlineData("not-a-key", HttpStatusCode.Unauthorized, "")]
    [InlineData("", HttpStatusCode.Unauthorized, "")]
    public async Task TokenWithoutTheRight_IsRefused_AndStoresNothing(string token, HttpStatusCode status, string message)
    {
        var host = $"tok-denied-{(int)status}-{token.Length}";
        var (s, body) = await Write("/api/v2/write?org=o&bucket=b&precision=s", host, "Token", token);
        Assert.Equal(status, s);
        Assert.Contains(message, body, StringComparison.Ordinal);
        Assert.False(Stored(host));
    }
}
