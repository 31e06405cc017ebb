using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Auspex.Core.Series;

namespace Auspex.Server.Tests.Endpoints;

/// <summary>X-Scope-OrgID on the ingestion endpoints: where the samples land, and who may name a tenant.</summary>
public sealed class IngestTenantHeaderTests(PromApiFixture f) : IClassFixture<PromApiFixture>
{
    private async Task<(HttpStatusCode Status, string Body)> Influx(string host, string? token, string? orgId)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/write?db=x&precision=s")
        {
            Content = new StringContent($"ingest_tenant_test,host={host} v=1 1700000000\n", Encoding.UTF8, "text/plain"),
        };
        if (token is not null)
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (orgId is not null)
        {
            req.Headers.Add("X-Scope-OrgID", orgId);
        }
        using var r = await f.Http.SendAsync(req);
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    private async Task<(HttpStatusCode Status, string Body)> Csv(string host, string token, string orgId)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/import")
        {
            Content = new StringContent($"unique_id,ds,y,metric,host\n{host}/m,2023-11-14T22:13:20Z,5,ingest_tenant_csv,{host}\n", Encoding.UTF8, "text/csv"),
        };
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        req.Headers.Add("X-Scope-OrgID", orgId);
        using var r = await f.Http.SendAsync(req);
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    private IReadOnlyList<string> TenantsHolding(string host) =>
        new[] { "alpha", "beta", "gamma" }.Where(t => f.Runtime.Store.Series.FindSeries(new TenantId(t), [LabelMatcher.Eq("host", host)]).Count > 0).ToList();

    [Fact]
    public async Task NoHeader_WritesTheServedTenant_AsBefore()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await Influx("w-none", PromApiFixture.AlphaOperator, null)).Status);
        Assert.Equal(["alpha"], TenantsHolding("w-none"));
    }

    [Fact]
    public async Task Header_OwnTenant_Writes()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await Influx("w-own", PromApiFixture.AlphaOperator, "alpha")).Status);
        Assert.Equal(["alpha"], TenantsHolding("w-own"));
    }

    [Fact]
    public async Task Header_AdminKey_WritesTheNamedTenantOnly()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await Influx("w-admin", PromApiFixture.BetaAdmin, "gamma")).Status);
        Assert.Equal(["gamma"], TenantsHolding("w-admin"));
        var csv = await Csv("w-admin-csv", PromApiFixture.BetaAdmin, "beta");
        Assert.Equal(HttpStatusCode.OK, csv.Status);
        Assert.Equal(["beta"], TenantsHolding("w-admin-csv"));
    }

    [Theory]
    [InlineData(PromApiFixture.AlphaOperator, "beta", HttpStatusCode.Forbidden, "key 'alpha-operator' belongs to tenant 'alpha' and may not act on tenant 'beta' named by X-Scope-OrgID")]
    [InlineData(PromApiFixture.AlphaViewer, "alpha", HttpStatusCode.Forbidden, "has role viewer; this needs operator")]
    [InlineData(null, "alpha", HttpStatusCode.Unauthorized, "Authorization")]
    [InlineData(PromApiFixture.AlphaOperator, "Not A Tenant", HttpStatusCode.BadRequest, "is not a tenant id")]
    [InlineData(PromApiFixture.AlphaOperator, "alpha|beta", HttpStatusCode.BadRequest, "names several tenants")]
    [InlineData("wrong", "beta", HttpStatusCode.Unauthorized, "Authorization")]
    public async Task Header_WithoutTheRight_IsRefusedAndStoresNothing(string? token, string orgId, HttpStatusCode status, string message)
    {
        var host = "w-denied-" + (int)status + "-" + (token?.Length ?? 0) + "-" + orgId.Length;
        var r = await Influx(host, token, orgId);
        Assert.Equal(status, r.Status);
        Assert.Contains(message, r.Body, StringComparison.Ordinal);
        Assert.Empty(TenantsHolding(host));
        if (token is not null)
        {
            var csv = await Csv(host, token, orgId);
            Assert.Equal(status, csv.Status);
            Assert.Empty(TenantsHolding(host));
        }
    }
}
