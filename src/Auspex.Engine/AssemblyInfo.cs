using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Auspex.Engine.Tests")]
