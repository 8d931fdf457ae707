using Microsoft.Extensions.Configuration;
using PrunePipeline.Artifacts;
using PrunePipeline.EventStore;
using PrunePipeline.ServiceDefaults.Configuration;

namespace PrunePipeline.ServiceDefaults.Tests;

public sealed class PipelineOptionsTests
{
    static IConfiguration Config(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value))).Build();

    [Fact]
    public void Defaults_are_the_embedded_pipeline()
    {
        var o = PipelineOptions.FromConfiguration(Config());
        Assert.Equal((PipelineMode.Embedded, BusTransport.InMemory, ArtifactStoreKind.Folder, EventStoreKind.Sqlite),
            (o.Mode, o.Bus.Transport, o.Artifacts.Store, o.EventStore.Store));
    }

    [Fact]
    public void Device_settings_bind_and_a_bad_thread_count_names_its_key()
    {
        var o = PipelineOptions.FromConfiguration(Config(("Pipeline:Device", "cuda:1"), ("Pipeline:ComputeDType", "bf16"), ("Pipeline:Threads", "3")));
        Assert.Equal(("cuda:1", "bf16", (int?)3), (o.Device, o.ComputeDType, o.Threads));
        var e = Assert.Throws<InvalidOperationException>(() => PipelineOptions.FromConfiguration(Config(("Pipeline:Threads", "0"))));
        Assert.Contains("Threads", e.Message);
    }

    [Fact]
    public void Environment_variable_names_bind_the_distributed_settings()
    {
        // The same keys docker-compose sets as Pipeline__Bus__Transport etc. (the env provider maps "__" to ":").
        Environment.SetEnvironmentVariable("PRUNETEST_Pipeline__Mode", "Distributed");
        Environment.SetEnvironmentVariable("PRUNETEST_Pipeline__Bus__Transport", "RabbitMq");
        Environment.SetEnvironmentVariable("PRUNETEST_Pipeline__Bus__RabbitMqUri", "amqp://prune:pw@rabbitmq:5672/");
        Environment.SetEnvironmentVariable("PRUNETEST_Pipeline__Artifacts__Store", "S3");
        Environment.SetEnvironmentVariable("PRUNETEST_Pipeline__Artifacts__S3__ServiceUrl", "http://minio:9000");
        Environment.SetEnvironmentVariable("PRUNETEST_Pipeline__Artifacts__S3__AccessKey", "ak");
        Environment.SetEnvironmentVariable("PRUNETEST_Pipeline__Artifacts__S3__SecretKey", "sk");
        Environment.SetEnvironmentVariable("PRUNETEST_Pipeline__EventStore__Store", "Postgres");
        Environment.SetEnvironmentVariable("PRUNETEST_Pipeline__EventStore__PostgresConnectionString", "Host=postgres;Username=prune");
        var o = PipelineOptions.FromConfiguration(new ConfigurationBuilder().AddEnvironmentVariables("PRUNETEST_").Build());
        Assert.Equal(PipelineMode.Distributed, o.Mode);
        Assert.Equal("amqp://prune:pw@rabbitmq:5672/", o.Bus.RabbitMqUri);
        Assert.Equal(("http://minio:9000", "prunepipeline"), (o.Artifacts.S3.ServiceUrl, o.Artifacts.S3.Bucket));
        Assert.Equal("Host=postgres;Username=prune", o.EventStore.PostgresConnectionString);
    }

    [Theory]
    [InlineData("Pipeline:Mode", "Distributed", "Pipeline:Bus:Transport")]
    [InlineData("Pipeline:Bus:Transport", "RabbitMq", "Pipeline:Bus:RabbitMqUri")]
    [InlineData("Pipeline:Artifacts:Store", "S3", "Pipeline:Artifacts:S3:ServiceUrl")]
    [InlineData("Pipeline:EventStore:Store", "Postgres", "Pipeline:EventStore:PostgresConnectionString")]
    public void Missing_settings_are_named(string key, string value, string named)
    {
        var e = Assert.Throws<InvalidOperationException>(() => PipelineOptions.FromConfiguration(Config((key, value))));
        Assert.Contains($"'{named}'", e.Message);
        Assert.Contains(named.Replace(":", "__"), e.Message);
    }

    [Fact]
    public void A_bad_enum_value_is_reported()
    {
        var e = Assert.Throws<InvalidOperationException>(() => PipelineOptions.FromConfiguration(Config(("Pipeline:Bus:Transport", "Kafka"))));
        Assert.Contains("Kafka", e.Message);
    }

    [Fact]
    public void A_password_in_a_bad_uri_is_not_echoed()
    {
        var e = Assert.Throws<InvalidOperationException>(() => PipelineOptions.FromConfiguration(Config(
            ("Pipeline:Bus:Transport", "RabbitMq"), ("Pipeline:Bus:RabbitMqUri", "http://user:secret@host/"))));
        Assert.DoesNotContain("secret", e.Message);
    }

    [Fact]
    public async Task Embedded_stores_are_created_from_options()
    {
        var dir = Directory.CreateTempSubdirectory("prune-options").FullName;
        try
        {
            var o = PipelineOptions.FromConfiguration(Config(
                ("Pipeline:Artifacts:FolderPath", Path.Combine(dir, "artifacts")), ("Pipeline:EventStore:SqlitePath", Path.Combine(dir, "events.db"))));
            Assert.IsType<FolderArtifactStore>(await PipelineStores.CreateArtifactStoreAsync(o.Artifacts));
            Assert.IsType<SqliteEventStore>(await PipelineStores.CreateEventStoreAsync(o.EventStore));
            Assert.True(File.Exists(Path.Combine(dir, "events.db")));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }
}
