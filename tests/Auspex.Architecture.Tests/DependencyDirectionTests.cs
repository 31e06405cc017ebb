using System.Reflection;
using System.Xml.Linq;
using Auspex.Testing;

namespace Auspex.Architecture.Tests;

/// <summary>
/// The dependency rules of docs/architecture.md, checked on every project file under src/ (so new projects are
/// covered the day they appear) and on the compiled references of every Auspex assembly built here.
/// </summary>
public sealed class DependencyDirectionTests
{
    private static readonly string[] Domain =
        ["Auspex.Storage", "Auspex.Forecasting", "Auspex.Anomalies", "Auspex.Scoring", "Auspex.Placement", "Auspex.Orchestration", "Auspex.Simulation"];

    private static readonly string[] ForbiddenInDomain =
        ["Microsoft.AspNetCore", "Grpc", "KubernetesClient", "k8s", "Google.OrTools", "Google.Protobuf", "YamlDotNet"];

    private static readonly string[] Hosts = ["Auspex.Server", "Auspex.Cli"];

    private sealed record Project(string Name, IReadOnlyList<string> ProjectRefs, IReadOnlyList<string> PackageRefs, IReadOnlyList<string> Frameworks);

    private static IReadOnlyList<Project> Projects() =>
        Directory.GetFiles(Path.Combine(RepoPaths.Root, "src"), "*.csproj", SearchOption.AllDirectories).Select(path =>
        {
            var doc = XDocument.Load(path);
            IReadOnlyList<string> Attr(string element) => doc.Descendants(element).Select(e => (string?)e.Attribute("Include") ?? "").ToList();
            return new Project(
                Path.GetFileNameWithoutExtension(path),
                Attr("ProjectReference").Select(p => Path.GetFileNameWithoutExtension(p.Replace('\\', '/'))).ToList(),
                Attr("PackageReference"),
                Attr("FrameworkReference"));
        }).ToList();

    [Fact]
    public void Core_ReferencesNothing()
    {
        var core = Projects().Single(p => p.Name == "Auspex.Core");
        Assert.Empty(core.ProjectRefs);
        Assert.Empty(core.PackageRefs);
        Assert.Empty(core.Frameworks);
    }

    [Fact]
    public void DomainLibraries_NeverReferenceTransportsSolversOrHosts()
    {
        foreach (var p in Projects().Where(p => Domain.Contains(p.Name)))
        {
            Assert.Empty(p.Frameworks);
            foreach (var pkg in p.PackageRefs)
            {
                Assert.False(ForbiddenInDomain.Any(f => pkg.StartsWith(f, StringComparison.Ordinal)), $"{p.Name} references package {pkg}");
            }
            foreach (var r in p.ProjectRefs)
            {
                Assert.False(r is "Auspex.Engine" or "Auspex.Server" or "Auspex.Cli" or "Auspex.Ingestion" or "Auspex.Kubernetes" || r.StartsWith("Auspex.Placement.", StringComparison.Ordinal),
                    $"{p.Name} references {r}, which is upstream or an integration");
            }
        }
    }

    [Fact]
    public void Placement_DoesNotReferenceForecasting()
    {
        foreach (var p in Projects().Where(p => p.Name.StartsWith("Auspex.Placement", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain("Auspex.Forecasting", p.ProjectRefs);
        }
    }

    [Fact]
    public void OnlyPlacementOrTools_ReferencesOrTools()
    {
        foreach (var p in Projects().Where(p => p.PackageRefs.Contains("Google.OrTools")))
        {
            Assert.Equal("Auspex.Placement.OrTools", p.Name);
        }
    }

    [Fact]
    public void OnlyServerAndCli_HostTheEngine_AndNothingReferencesTheHosts()
    {
        foreach (var p in Projects())
        {
            if (p.ProjectRefs.Contains("Auspex.Engine"))
            {
                Assert.Contains(p.Name, Hosts);
            }
            if (p.ProjectRefs.Contains("Auspex.Server"))
            {
                Assert.Equal("Auspex.Cli", p.Name);
            }
            Assert.DoesNotContain("Auspex.Cli", p.ProjectRefs);
        }
    }

    [Fact]
    public void CompiledAssemblies_FollowTheSameRules()
    {
        var dir = AppContext.BaseDirectory;
        var auspex = Directory.GetFiles(dir, "Auspex.*.dll").Select(f => AssemblyName.GetAssemblyName(f)).ToList();
        Assert.Contains(auspex, a => a.Name == "Auspex.Core");
        foreach (var name in auspex.Where(a => Domain.Contains(a.Name) || a.Name == "Auspex.Core"))
        {
            var refs = Assembly.Load(name).GetReferencedAssemblies().Select(r => r.Name!).ToList();
            foreach (var r in refs)
            {
                Assert.False(ForbiddenInDomain.Any(f => r.StartsWith(f, StringComparison.Ordinal)), $"{name.Name} references {r}");
                Assert.False(r is "Auspex.Engine" or "Auspex.Server" or "auspex", $"{name.Name} references {r}");
            }
            if (name.Name == "Auspex.Core")
            {
                Assert.DoesNotContain(refs, r => r.StartsWith("Auspex.", StringComparison.Ordinal));
            }
        }
    }
}
