[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Auspex.Placement.OrTools.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Auspex.Bench.Placement")]
