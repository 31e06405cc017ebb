using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Auspex.Scoring.Tests")]
