using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Auspex.Simulation.Tests")]
[assembly: InternalsVisibleTo("Auspex.Bench.Simulation")]
