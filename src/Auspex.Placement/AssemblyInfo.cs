using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Auspex.Placement.Tests")]
