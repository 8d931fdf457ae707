namespace PrunePipeline.Tests;

/// <summary>Addresses of the real servers that scripts/servers.sh starts. A missing variable fails the test loudly:
/// an integration test that silently skips would hide a broken CI.</summary>
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
}
