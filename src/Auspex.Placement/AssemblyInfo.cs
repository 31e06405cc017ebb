using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Auspex.Placement.Tests")]
[assembly: InternalsVisibleTo("Auspex.Placement.OrTools")]
[assembly: InternalsVisibleTo("Auspex.Placement.OrTools.Tests")]
