using Auspex.Server.Auth;
using Microsoft.Extensions.Time.Testing;

namespace Auspex.Server.Tests;

public sealed class SessionStoreTests
{
    private static readonly ApiKey Ops = new("ops", Role.Operator, "demo", ApiKey.Hash("t"));

    [Fact]
    public void Open_ThenFind_ReturnsTheSessionWithItsKeyAndAFreshCsrfToken()
    {
        var store = new SessionStore(new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        var (id, s) = store.Open(Ops);
        var (id2, s2) = store.Open(Ops);
        Assert.NotEqual(id, id2);
        Assert.NotEqual(s.CsrfToken, s2.CsrfToken);
        Assert.Equal(32, s.CsrfToken.Length);
        Assert.Same(s, store.Find(id));
        Assert.Equal(Ops, store.Find(id)!.Key);
        Assert.True(id.Length >= 43, "256 random bits");
    }

    [Fact]
    public void Find_AfterTheLifetime_ReturnsNull()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var store = new SessionStore(clock);
        var (id, _) = store.Open(Ops);
        clock.Advance(SessionStore.Lifetime - TimeSpan.FromSeconds(1));
        Assert.NotNull(store.Find(id));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(store.Find(id));
        Assert.Equal(0, store.Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-session")]
    public void Find_UnknownOrEmptyId_ReturnsNull(string? id) =>
        Assert.Null(new SessionStore(new FakeTimeProvider()).Find(id));

    [Fact]
    public void Find_HugeId_ReturnsNullWithoutHashingIt() =>
        Assert.Null(new SessionStore(new FakeTimeProvider()).Find(new string('x', 100_000)));

    [Fact]
    public void Close_EndsOnlyThatSession()
    {
        var store = new SessionStore(new FakeTimeProvider());
        var (a, _) = store.Open(Ops);
        var (b, _) = store.Open(Ops);
        Assert.True(store.Close(a));
        Assert.False(store.Close(a));
        Assert.Null(store.Find(a));
        Assert.NotNull(store.Find(b));
    }
}
