using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace PrunePipeline.ServiceDefaults.Tests;

/// <summary>docker-compose's worker healthcheck reads the file that <c>Pipeline:HealthFile</c> names.</summary>
public sealed class HealthFileTests
{
    [Fact]
    public async Task A_started_service_writes_Healthy_to_its_health_file()
    {
        var dir = Directory.CreateTempSubdirectory("pp-health-").FullName;
        var file = Path.Combine(dir, "health");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:HealthFile"] = file,
            ["Pipeline:Artifacts:FolderPath"] = Path.Combine(dir, "artifacts"),
            ["Pipeline:EventStore:SqlitePath"] = Path.Combine(dir, "events.db"),
        });
        builder.Services.AddPipeline(builder.Configuration, "health-test", bus => bus.AddConsumer<EchoConsumer>());
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            // Wait on progress: the publisher's first report comes after its 2 s delay.
            for (var i = 0; i < 100 && !File.Exists(file); i++) await Task.Delay(100);
            Assert.True(File.Exists(file), $"{file} was not written within 10 s of start-up");
            Assert.Equal("Healthy", await File.ReadAllTextAsync(file));
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
