using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Auspex.Scoring.Tests")]
[assembly: InternalsVisibleTo("Auspex.Bench.Scoring")]
