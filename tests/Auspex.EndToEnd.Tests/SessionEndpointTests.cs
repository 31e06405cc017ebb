using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Auspex.EndToEnd.Tests;

/// <summary>Dashboard login: an API key exchanged for an HttpOnly, SameSite=Strict session cookie; CSRF on mutations.</summary>
[Collection("demo")]
public sealed class SessionEndpointTests(DemoServerFixture demo)
{
    private async Task<(string Cookie, string Csrf, HttpResponseMessage Response)> LoginAsync(string key)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/session") { Content = JsonContent.Create(new { key }) };
        var resp = await demo.Http.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        var setCookie = resp.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("auspex_session=", StringComparison.Ordinal));
        var body = await resp.Content.ReadFromJsonAsync<JsonElement>();
        return (setCookie.Split(';')[0], body.GetProperty("csrfToken").GetString()!, resp);
    }

    private static HttpRequestMessage Import(string cookie, string? csrf)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/import")
        {
            Content = new StringContent("timestamp,metric,value\n", Encoding.UTF8, "text/csv"),
        };
        req.Headers.Add("Cookie", cookie);
        if (csrf is not null)
        {
            req.Headers.Add("X-Auspex-Csrf", csrf);
        }
        return req;
    }

    [Fact]
    public async Task Login_WithAKnownKey_SetsAnHttpOnlyStrictCookie_AndSessionTellsWhoAndTheRole()
    {
        var (cookie, csrf, resp) = await LoginAsync(DemoServerFixture.OperatorToken);
        var setCookie = resp.Headers.GetValues("Set-Cookie").Single().ToLowerInvariant();
        Assert.Contains("httponly", setCookie, StringComparison.Ordinal);
        Assert.Contains("samesite=strict", setCookie, StringComparison.Ordinal);
        Assert.Contains("path=/", setCookie, StringComparison.Ordinal);
        Assert.DoesNotContain(DemoServerFixture.OperatorToken, setCookie, StringComparison.Ordinal);
        using var who = new HttpRequestMessage(HttpMethod.Get, "/api/v1/session");
        who.Headers.Add("Cookie", cookie);
        var me = await (await demo.Http.SendAsync(who)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(me.GetProperty("authenticated").GetBoolean());
        Assert.Equal("session", me.GetProperty("via").GetString());
        Assert.Equal("ops", me.GetProperty("name").GetString());
        Assert.Equal("operator", me.GetProperty("role").GetString());
        Assert.Equal(csrf, me.GetProperty("csrfToken").GetString());
    }

    [Fact]
    public async Task Session_Anonymous_IsAViewerWithoutName()
    {
        var me = await demo.Http.GetFromJsonAsync<JsonElement>("/api/v1/session");
        Assert.False(me.GetProperty("authenticated").GetBoolean());
        Assert.Equal("viewer", me.GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, me.GetProperty("csrfToken").ValueKind);
    }

    [Fact]
    public async Task CookieAuthenticatedMutation_WithoutCsrfHeader_Is403_WithItIsAccepted()
    {
        var (cookie, csrf, _) = await LoginAsync(DemoServerFixture.OperatorToken);
        using var forged = Import(cookie, null);
        var denied = await demo.Http.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("X-Auspex-Csrf", await denied.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var wrong = Import(cookie, new string('0', csrf.Length));
        Assert.Equal(HttpStatusCode.Forbidden, (await demo.Http.SendAsync(wrong)).StatusCode);
        using var ok = Import(cookie, csrf);
        var accepted = await demo.Http.SendAsync(ok);
        // Past authentication: the import itself judges the (header-only) CSV.
        Assert.NotEqual(HttpStatusCode.Forbidden, accepted.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, accepted.StatusCode);
    }

    [Fact]
    public async Task ViewerSession_MutationWithCsrf_Is403ForTheRole()
    {
        var (cookie, csrf, _) = await LoginAsync(DemoServerFixture.ViewerToken);
        using var req = Import(cookie, csrf);
        var resp = await demo.Http.SendAsync(req);
        Assert.Equal(HttpStatusCode.Forbidden, resp.StatusCode);
        Assert.Contains("role viewer", await resp.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_EndsTheSession_TheCookieNoLongerAuthenticates()
    {
        var (cookie, csrf, _) = await LoginAsync(DemoServerFixture.OperatorToken);
        using var noCsrf = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/session");
        noCsrf.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.Forbidden, (await demo.Http.SendAsync(noCsrf)).StatusCode);
        using var logout = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/session");
        logout.Headers.Add("Cookie", cookie);
        logout.Headers.Add("X-Auspex-Csrf", csrf);
        var resp = await demo.Http.SendAsync(logout);
        Assert.Equal(HttpStatusCode.NoContent, resp.StatusCode);
        Assert.Contains(resp.Headers.GetValues("Set-Cookie"), c => c.StartsWith("auspex_session=;", StringComparison.Ordinal));
        using var after = Import(cookie, csrf);
        Assert.Equal(HttpStatusCode.Unauthorized, (await demo.Http.SendAsync(after)).StatusCode);
    }

    [Theory]
    [InlineData("{\"key\":\"no-such-key\"}", HttpStatusCode.Unauthorized, "not known")]
    [InlineData("{\"key\":\"\"}", HttpStatusCode.BadRequest, "'key'")]
    [InlineData("{}", HttpStatusCode.BadRequest, "'key'")]
    [InlineData("{\"key\":", HttpStatusCode.BadRequest, "expected JSON")]
    [InlineData("[1,2]", HttpStatusCode.BadRequest, "expected JSON")]
    [InlineData("{\"key\":\"" + DemoServerFixture.OtherTenantToken + "\"}", HttpStatusCode.Forbidden, "another tenant")]
    public async Task Login_BadRequests_AreRefusedWithAReason(string body, HttpStatusCode status, string reason)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var resp = await demo.Http.PostAsync("/api/v1/session", content);
        Assert.Equal(status, resp.StatusCode);
        Assert.Contains(reason, await resp.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(resp.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Login_NotJson_Is415()
    {
        using var content = new StringContent("key=abc", Encoding.UTF8, "application/x-www-form-urlencoded");
        var resp = await demo.Http.PostAsync("/api/v1/session", content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, resp.StatusCode);
    }

    [Fact]
    public async Task Dashboard_ServesVendoredLibraries_WithASelfOnlyContentSecurityPolicy()
    {
        foreach (var path in new[] { "/", "/ui/lib/echarts/echarts.common.min.js", "/ui/lib/three/three.min.js", "/ui/js/main.js" })
        {
            var resp = await demo.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
            Assert.Contains("default-src 'self'", resp.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.NotNull(resp.Headers.ETag);
        }
        var lib = await demo.Http.GetAsync("/ui/lib/README.md");
        Assert.Contains("echarts@6.1.0", await lib.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await demo.Http.GetAsync("/ui/../Auspex.Server.dll")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await demo.Http.GetAsync("/ui/js/nope.js")).StatusCode);
    }
}
