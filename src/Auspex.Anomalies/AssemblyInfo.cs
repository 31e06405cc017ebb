using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Auspex.Anomalies.Tests")]
