using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Auspex.Kubernetes.Tests")]
