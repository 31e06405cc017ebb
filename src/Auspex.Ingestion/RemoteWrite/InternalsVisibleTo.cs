using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Auspex.Ingestion.Tests")]
