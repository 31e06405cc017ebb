using Auspex.Placement.Global;
using Auspex.Placement.OrTools;

namespace Auspex.Placement.OrTools.Tests;

/// <summary>The start every global solver shares (<c>PlanEvaluator.CheckBeforeSolve</c>), checked on all six.</summary>
public sealed class SolverPrologueTests
{
    private static readonly DateTimeOffset T0 = new(2013, 8, 12, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Solvers => ["greedy", "packing", "partitioned", "cp-sat", "neighbourhood", "lp-packing"];

    private static IPlacementSolver Create(string name) => name switch
    {
        "greedy" => PlacementSolvers.Greedy(),
        "packing" => PlacementSolvers.Packing(),
        "partitioned" => PlacementSolvers.Partitioned(PlacementSolvers.Greedy(), 1), // 1 variable per part: always splits
        "cp-sat" => CpSatPlacement.Create(),
        "neighbourhood" => CpSatPlacement.CreateNeighbourhoodSearch(),
        "lp-packing" => CpSatPlacement.CreateLpPacking(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static GlobalPlacementOptions Options() => new() { Slots = 2, TimeLimit = TimeSpan.FromSeconds(2), Workers = 1 };

    [Theory]
    [MemberData(nameof(Solvers))]
    public void Solve_ReplicaBiggerThanEveryHost_IsInfeasible_NamingIt(string name)
    {
        var hosts = new[] { new PlanHost("h1", "r1", "z1", [4, 64], 1, 0, 0, [true, true]), new PlanHost("h2", "r2", "z1", [4, 64], 1, 0, 0, [true, true]) };
        var comps = new[] { new PlanComponent("big", 1, [[8.0, 1.0], [8.0, 1.0]], [], null, null), new PlanComponent("small", 1, [[1.0, 1.0], [1.0, 1.0]], [], null, null) };
        var p = new GlobalPlacementProblem(["cpu", "memory"], [T0, T0.AddHours(12)], hosts, comps, []);
        var solver = Create(name);
        var r = solver.Solve(p, Options());
        Assert.Equal(GlobalSolveStatus.Infeasible, r.Status);
        Assert.Equal(solver.Name, r.Solver);
        Assert.Empty(r.Assignment);
        Assert.Null(r.Metrics);
        Assert.Contains(r.Reasons, x => x.Contains("component big", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void Solve_NullOrInvalidArguments_Throw(string name)
    {
        var p = new GlobalPlacementProblem(["cpu"], [T0, T0.AddHours(12)], [new PlanHost("h1", "r1", "z1", [4], 1, 0, 0, [true, true])], [], []);
        var solver = Create(name);
        Assert.Throws<ArgumentNullException>(() => solver.Solve(null!, Options()));
        Assert.Throws<ArgumentNullException>(() => solver.Solve(p, null!));
        Assert.ThrowsAny<ArgumentException>(() => solver.Solve(p, new GlobalPlacementOptions { Slots = 2, TimeLimit = TimeSpan.Zero, Workers = 1 }));
    }
}
