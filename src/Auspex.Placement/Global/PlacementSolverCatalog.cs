namespace Auspex.Placement.Global;

/// <summary>
/// The global-placement solvers a host offers by name (the <c>solver</c> of <c>POST /api/v1/placements/global</c> and
/// <c>auspex plan --global --solver</c>). <see cref="Default"/> holds the solvers of this assembly (packing, greedy);
/// integrations add theirs through their own entry point (Auspex.Placement.OrTools: <c>AddOrToolsSolver()</c>), so the
/// engine offers CP-SAT without referencing OR-Tools.
/// </summary>
public sealed class PlacementSolverCatalog
{
    private readonly List<(string Name, string Description, Func<IPlacementSolver> Create)> _entries = [];

    /// <summary>A catalog with packing (the default) and greedy.</summary>
    public static PlacementSolverCatalog Default() => new PlacementSolverCatalog()
        .Add("packing", "bundles + host-emptying local search until the time limit (the default)", PlacementSolvers.Packing)
        .Add("greedy", "one pass, each replica where it raises the objective least", PlacementSolvers.Greedy);

    /// <summary>Solver names in the order they were added; the first is the default.</summary>
    public IReadOnlyList<string> Names => _entries.Select(e => e.Name).ToList();

    /// <summary>Each name with its one-line description.</summary>
    public IReadOnlyList<(string Name, string Description)> Described => _entries.Select(e => (e.Name, e.Description)).ToList();

    /// <summary>Adds (or replaces) the solver called <paramref name="name"/> (lower-case letters, digits and '-').</summary>
    public PlacementSolverCatalog Add(string name, string description, Func<IPlacementSolver> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        if (!name.All(ch => ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            throw new ArgumentException($"solver name '{name}' must hold only lower-case letters, digits and '-'", nameof(name));
        }
        _entries.RemoveAll(e => e.Name == name);
        _entries.Add((name, description ?? "", create));
        return this;
    }

    /// <summary>True when <paramref name="name"/> is offered.</summary>
    public bool Contains(string? name) => _entries.Any(e => e.Name == name);

    /// <summary>A new instance of the solver called <paramref name="name"/>; throws with the valid names when unknown.</summary>
    public IPlacementSolver Create(string name) =>
        _entries.FirstOrDefault(e => e.Name == name).Create?.Invoke()
        ?? throw new ArgumentException($"solver: '{name}' is not one of {string.Join(", ", Names)}", nameof(name));

    /// <summary>The error for an unknown <paramref name="name"/> (naming the valid ones), or null when it is offered.</summary>
    public string? Check(string? name) => Contains(name) ? null : $"solver: '{name}' is not one of {string.Join(", ", Names)}";
}
