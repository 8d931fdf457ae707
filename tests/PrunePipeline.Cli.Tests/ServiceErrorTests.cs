using System.Text.Json;
using System.Text.RegularExpressions;

namespace PrunePipeline.Cli.Tests;

/// <summary>Issue 9 part 4, against the real servers of scripts/servers.sh: a wrong password is one line naming the
/// service (never the password, never a stack trace), and the env file that holds the passwords is private.</summary>
public sealed class ServiceErrorTests
{
    [Fact]
    public async Task RunsAndShowWithAWrongPostgresPasswordAreOneLine()
    {
        var bad = Regex.Replace(TestServers.Require("PRUNE_TEST_POSTGRES"), "Password=[^;]*", "Password=not-the-password");
        // A --config file rather than environment variables: other tests of this assembly run in parallel.
        var config = Path.Combine(Path.GetTempPath(), $"prune-badpg-{Guid.NewGuid():N}.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new { Pipeline = new { EventStore = new { Store = "Postgres", PostgresConnectionString = bad } } }));
        try
        {
            foreach (var args in new[] { new[] { "runs" }, ["show", Guid.NewGuid().ToString()] })
            {
                var r = await CliRun.Run([.. args, "--config", config]);
                CliRun.AssertOneLineError(r, "PostgreSQL", "password authentication failed");
                Assert.DoesNotContain("not-the-password", r.Error);
            }
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task SubmitWithAWrongRabbitMqPasswordIsOneLine()
    {
        var uri = new UriBuilder(TestServers.Require("PRUNE_TEST_RABBITMQ")) { Password = "not-the-password" }.Uri.ToString();
        var root = Directory.CreateTempSubdirectory("prune-submit-").FullName;
        try
        {
            var model = Path.Combine(root, "model");
            CliRun.ConvertStories(model);
            var calib = Path.Combine(root, "c.txt");
            File.WriteAllText(calib, "Once upon a time there was a dog.");
            var r = await CliRun.Run("submit", "--rabbitmq", uri, "--model", model, "--method", "wanda", "--calib", calib, "--nsamples", "1", "--seqlen", "8",
                "--work", Path.Combine(root, "work"));
            CliRun.AssertOneLineError(r, "RabbitMQ", "ACCESS_REFUSED");
            Assert.DoesNotContain("not-the-password", r.Error);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Whether MassTransit reports a refused login as a ConnectionException or as a bare cancellation depends
    /// on timing (a loaded CI machine gets the cancellation); both paths end in the broker's own reason, from this probe.</summary>
    [Fact]
    public async Task TheBrokerProbeNamesTheRefusalWithoutThePassword()
    {
        var good = TestServers.Require("PRUNE_TEST_RABBITMQ");
        Assert.Null(await PrunePipeline.Cli.Pipeline.PipelineHost.ProbeRabbitMqAsync(good, CancellationToken.None));
        var bad = new UriBuilder(good) { Password = "not-the-password" }.Uri.ToString();
        var why = await PrunePipeline.Cli.Pipeline.PipelineHost.ProbeRabbitMqAsync(bad, CancellationToken.None);
        Assert.NotNull(why);
        Assert.Contains("ACCESS_REFUSED", why);
        Assert.DoesNotContain("not-the-password", why);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void TheServersEnvFileIsReadableByItsOwnerOnly()
    {
        var path = TestServers.Require("PRUNE_TEST_ENV_FILE");
        Assert.Contains("Password=", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }
}
