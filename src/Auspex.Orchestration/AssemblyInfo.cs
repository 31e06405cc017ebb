using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Auspex.Orchestration.Tests")]
