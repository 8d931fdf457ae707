namespace PrunePipeline.EndToEnd.Tests;

/// <summary>The real servers of scripts/servers.sh; a missing variable fails loudly (never a silent skip).</summary>
internal static class TestServers
{
    public static string Require(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value))
            Assert.Fail($"{variable} is not set: start the servers with scripts/servers.sh start and source its env file " +
                        "(eval \"$(scripts/servers.sh env)\").");
        return value!;
    }

    public static string RepoRoot() => RepoPaths.Root();

    public static string SharedPath(params string[] parts) => RepoPaths.Shared(parts);

    /// <summary>The built service dll, in the same configuration (Debug/Release) as this test assembly.</summary>
    public static string ServiceDll(string folder, string assembly)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(RepoRoot(), "services", folder, "bin", configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(dll)) Assert.Fail($"{dll} is not built (build tests/PrunePipeline.EndToEnd.Tests, which references the services).");
        return dll;
    }
}
