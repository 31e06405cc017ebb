using Auspex.Simulation.World;
using FsCheck.Xunit;

namespace Auspex.Simulation.Tests;

public sealed class QueueModelTests
{
    [Fact]
    public void ErlangC_KnownValues_MatchTheTextbook()
    {
        // One server: P(wait) = rho. Two servers at a = 1 Erlang: C = 1/3.
        Assert.Equal(0.5, QueueModel.ErlangC(1, 0.5), 12);
        Assert.Equal(1.0 / 3, QueueModel.ErlangC(2, 1), 12);
        // 10 servers, 8 Erlangs: 0.409 (standard Erlang C tables).
        Assert.Equal(0.409, QueueModel.ErlangC(10, 8), 3);
        Assert.Equal(1, QueueModel.ErlangC(4, 4));
        Assert.Equal(0, QueueModel.ErlangC(4, 0));
    }

    [Fact]
    public void ResponseQuantile_Overload_IsInfinite_AndIdle_IsTheServiceQuantile()
    {
        Assert.True(double.IsPositiveInfinity(QueueModel.ResponseQuantile(100, 10, 0.1)));
        Assert.Equal(QueueModel.ServiceQuantile(0.1, 0.99), QueueModel.ResponseQuantile(0, 10, 0.1), 12);
    }

    [Fact]
    public void ResponseQuantile_MM1_MatchesTheClosedForm()
    {
        // M/M/1: P(W > t) = rho·exp(-(mu - lambda) t); the p99 wait solves rho·exp(-(mu-lambda)t) = 0.01.
        const double mu = 10, lambda = 8;
        var wait = Math.Log(0.8 / 0.01) / (mu - lambda);
        Assert.Equal(wait + QueueModel.ServiceQuantile(0.1, 0.99), QueueModel.ResponseQuantile(lambda, 1, 0.1), 9);
    }

    [Property(MaxTest = 200)]
    public bool ServersFor_IsTheFewestThatMeetTheTarget(byte load)
    {
        var lambda = 1 + load * 3.0;
        var n = QueueModel.ServersFor(lambda, 0.1, 1, 0.99, 1.0);
        return n is { } s
            && QueueModel.ResponseQuantile(lambda, s, 0.1) <= 1.0
            && (s == 1 || QueueModel.ResponseQuantile(lambda, s - 1, 0.1) > 1.0);
    }

    [Fact]
    public void ServersFor_TargetBelowTheServiceTime_IsNull()
    {
        Assert.Null(QueueModel.ServersFor(10, 1, 1, 0.99, 0.5));
    }
}
