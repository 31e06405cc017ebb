using Auspex.Cli.Commands;

namespace Auspex.EndToEnd.Tests;

/// <summary>Where the demo's admin key comes from: --admin-key, then AUSPEX_ADMIN_KEY, then a fresh random key.</summary>
public sealed class DemoAdminKeyTests
{
    [Fact]
    public void Option_WinsOverEnvironment()
    {
        var (token, source, error) = DemoCommand.ResolveAdminKey("  option-key-0123456789 ", "environment-key-0123456789");
        Assert.Null(error);
        Assert.Equal("option-key-0123456789", token);
        Assert.Equal("--admin-key", source);
    }

    [Fact]
    public void Environment_IsUsedWithoutTheOption()
    {
        var (token, source, error) = DemoCommand.ResolveAdminKey(null, "environment-key-0123456789");
        Assert.Null(error);
        Assert.Equal("environment-key-0123456789", token);
        Assert.Equal("$AUSPEX_ADMIN_KEY", source);
    }

    [Fact]
    public void Generated_KeysAreLongAndDifferEachTime()
    {
        var a = DemoCommand.ResolveAdminKey(null, null);
        var b = DemoCommand.ResolveAdminKey(null, null);
        Assert.Equal("generated", a.Source);
        Assert.Equal(48, a.Token!.Length);
        Assert.NotEqual(a.Token, b.Token);
    }

    [Theory]
    [InlineData("short", "at least 16 characters (got 5)")]
    [InlineData("has a space inside of it", "must not contain spaces")]
    public void BadKeys_AreRefused_NamingTheSource(string key, string message)
    {
        var (token, _, error) = DemoCommand.ResolveAdminKey(null, key);
        Assert.Null(token);
        Assert.StartsWith("$AUSPEX_ADMIN_KEY: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
