using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;
using Npgsql;
using PrunePipeline.Artifacts;
using PrunePipeline.Cli.Pipeline;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.ServiceDefaults;
using Xunit.Abstractions;

namespace PrunePipeline.EndToEnd.Tests;

/// <summary>
/// One fault test's distributed pipeline: every service its own OS process on the real servers, with queues, bucket
/// and schema of its own (dropped on dispose), and a client (bus, event store, artifact store). Processes can be
/// SIGKILLed and started again by name; their output is kept, so a worker's per-execution log line can be counted
/// across restarts. Waits are on progress ("no new event for <see cref="Quiet"/>"), never on a total deadline.
/// </summary>
internal sealed class FaultCluster : IAsyncDisposable
{
    /// <summary>The longest a healthy run goes without a new event here: a process restart plus a broker pause, on a
    /// CI machine shared with other jobs (60 s was exceeded at load average 60–90: a service start, a finetune step).
    /// Only a failing test ever waits this long.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(180);

    /// <summary>The pruner's log line for each layer it has pruned and stored (its execution log).</summary>
    public const string PrunedLine = " pruned by ";

    // Service name prefix → (folder, assembly): each service, the coordinator included, is its own process.
    static readonly Dictionary<string, (string Folder, string Assembly)> Services = new()
    {
        ["coordinator"] = ("coordinator", "PrunePipeline.Coordinator"),
        ["calibrator"] = ("calibrator", "PrunePipeline.Calibrator"),
        ["pruner"] = ("pruner", "PrunePipeline.Pruner"),
        ["finetuner"] = ("finetuner", "PrunePipeline.Finetuner"),
        ["evaluator"] = ("evaluator", "PrunePipeline.Evaluator"),
    };

    readonly string _id = Guid.NewGuid().ToString("N")[..10];
    readonly Dictionary<string, ServiceProcess> _running = new(StringComparer.Ordinal);
    readonly List<ServiceProcess> _all = [];
    readonly ITestOutputHelper _log;
    ServiceProvider? _client;

    FaultCluster(ReferenceRun reference, ITestOutputHelper log)
    {
        _log = log;
        Settings = DistributedSettings("fault-" + _id, "fault_" + _id, reference.ModelsRoot);
        // The pruner's execution log, and the guard's skips and refusals.
        Settings["Logging__LogLevel__PrunePipeline.Pruner.PruneLayerConsumer"] = "Information";
        Settings["Logging__LogLevel__PrunePipeline.ServiceDefaults.Trust.RunGuard"] = "Information";
    }

    public Dictionary<string, string> Settings { get; }

    /// <summary>The environment of a distributed service on the test servers: queues and bucket named
    /// <paramref name="name"/>, schema <paramref name="schema"/>, models only under <paramref name="modelsRoot"/>.</summary>
    public static Dictionary<string, string> DistributedSettings(string name, string schema, string modelsRoot) => new()
    {
        ["Pipeline__Mode"] = "Distributed",
        ["Pipeline__Bus__Transport"] = "RabbitMq",
        ["Pipeline__Bus__RabbitMqUri"] = TestServers.Require("PRUNE_TEST_RABBITMQ"),
        ["Pipeline__Bus__EntityPrefix"] = name, // queues and exchanges of this test only
        ["Pipeline__Artifacts__Store"] = "S3",
        ["Pipeline__Artifacts__S3__ServiceUrl"] = TestServers.Require("PRUNE_TEST_S3_URL"),
        ["Pipeline__Artifacts__S3__Bucket"] = name,
        ["Pipeline__Artifacts__S3__AccessKey"] = "test",
        ["Pipeline__Artifacts__S3__SecretKey"] = "test",
        ["Pipeline__EventStore__Store"] = "Postgres",
        ["Pipeline__EventStore__PostgresConnectionString"] = TestServers.Require("PRUNE_TEST_POSTGRES"),
        ["Pipeline__EventStore__PostgresSchema"] = schema,
        ["Pipeline__Roots__Models"] = modelsRoot, // distributed workers open files only under their roots
        ["Pipeline__Roots__Data"] = ReferenceRun.DataRoot,
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__MassTransit"] = "Information", // "Bus started" tells us a process is ready
    };

    // The services are started from their own bin folders, in the configuration (Debug/Release) of this test assembly.
    internal static readonly string BuildConfiguration =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public IBus Bus => _client!.GetRequiredService<IBus>();

    public IEventStore Events => _client!.GetRequiredService<IEventStore>();

    public IArtifactStore Artifacts => _client!.GetRequiredService<IArtifactStore>();

    /// <summary>Starts the named services (name = a key of the service table, optionally "-n") and the client.</summary>
    public static async Task<FaultCluster> StartAsync(ReferenceRun reference, ITestOutputHelper log, params string[] names)
    {
        var cluster = new FaultCluster(reference, log);
        try
        {
            await Task.WhenAll(names.Select(cluster.StartAsync));
            var config = new ConfigurationBuilder()
                .AddInMemoryCollection(cluster.Settings.ToDictionary(kv => kv.Key.Replace("__", ":"), kv => (string?)kv.Value)).Build();
            var services = new ServiceCollection().AddLogging();
            services.AddPipeline(config, "prunectl", EmbeddedPipeline.NoStages); // a client: no stages
            cluster._client = services.BuildServiceProvider();
            await cluster._client.GetRequiredService<IBusControl>().StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>Starts (or starts again) service <paramref name="name"/> and waits until its bus is up.</summary>
    public async Task StartAsync(string name)
    {
        var (folder, assembly) = Services[name.Split('-')[0]];
        var process = new ServiceProcess(name, ServiceProcess.ServiceDll(folder, assembly, BuildConfiguration), Settings);
        _running[name] = process;
        _all.Add(process);
        await process.Started.WaitAsync(Quiet);
    }

    /// <summary>SIGKILL (no shutdown, no acknowledgements): what a crash or an OOM kill does.</summary>
    public void Kill(string name)
    {
        _running.Remove(name, out var process);
        process!.Dispose(); // Process.Kill on Unix is SIGKILL, for the whole tree
        _log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} SIGKILL {name} (pid {process.Pid})");
    }

    public void KillAll()
    {
        foreach (var name in _running.Keys.ToList()) Kill(name);
    }

    /// <summary>Output lines containing <paramref name="fragment"/> over every process ever started here.</summary>
    public int CountLines(string fragment) => _all.Sum(p => p.CountLines(fragment));

    /// <summary>Waits until the run's stream satisfies <paramref name="until"/>; fails when no new event came for
    /// <see cref="Quiet"/>, printing the last event and the processes' output.</summary>
    public async Task<IReadOnlyList<StoredEvent>> WaitAsync(Guid runId, Func<IReadOnlyList<StoredEvent>, bool> until)
    {
        var seen = (IReadOnlyList<StoredEvent>)[];
        var progress = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var now = await Events.ReadStreamAsync(runId, 1);
                if (now.Count != seen.Count) progress.Restart();
                seen = now;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // PostgreSQL restarting: no progress, keep waiting
            }
            if (until(seen)) return seen;
            if (seen.Count > 0 && seen[^1].Data is RunFailed f)
                Assert.Fail($"run {runId} failed: {f.Stage}: {f.Reason}\n{Outputs()}");
            if (progress.Elapsed > Quiet)
                Assert.Fail($"run {runId}: no new event for {Quiet.TotalSeconds} s; last: {Describe(seen.LastOrDefault())}\n{Outputs()}");
            await Task.Delay(200);
        }
    }

    /// <summary>Waits for RunCompleted (see <see cref="WaitAsync"/>).</summary>
    public Task<IReadOnlyList<StoredEvent>> WaitForCompletionAsync(Guid runId) =>
        WaitAsync(runId, s => s.Count > 0 && s[^1].Data is RunCompleted);

    /// <summary>Waits until nothing new happens for <paramref name="seconds"/>: no event in the streams of
    /// <paramref name="runs"/> and no output line in any process (for "nothing must happen" checks).</summary>
    public async Task SettleAsync(double seconds, params Guid[] runs)
    {
        var last = (-1, -1);
        var quiet = Stopwatch.StartNew();
        while (quiet.Elapsed.TotalSeconds < seconds)
        {
            var events = 0;
            foreach (var run in runs) events += (await Events.ReadStreamAsync(run, 1)).Count;
            var now = (events, _all.Sum(p => p.CountLines("")));
            if (now != last) quiet.Restart();
            last = now;
            await Task.Delay(250);
        }
    }

    /// <summary>The assembled masks.safetensors and model.safetensors of a completed run.</summary>
    public async Task<(byte[] Masks, byte[] Weights)> OutputAsync(IReadOnlyList<StoredEvent> run)
    {
        var dir = Directory.CreateTempSubdirectory("pp-fault-out-").FullName;
        try
        {
            await Artifacts.DownloadDirectoryAsync(((RunCompleted)run[^1].Data).ModelPrefix, dir);
            return (File.ReadAllBytes(Path.Combine(dir, "masks.safetensors")), File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    public string Outputs() => string.Join("\n", _all.Select(p => $"--- {p.Name} (pid {p.Pid})\n{p.Output}"));

    static string Describe(StoredEvent? e) => e is null ? "none" : $"#{e.Version} {e.Data.GetType().Name} {e.Data}";

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            try
            {
                await _client.GetRequiredService<IBusControl>().StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token);
            }
            catch (Exception e) when (e is OperationCanceledException or MassTransitException)
            {
            }
        }
        KillAll();
        try
        {
            await DropSchemaAndBucketAsync();
        }
        finally
        {
            if (_client is not null) await _client.DisposeAsync();
        }
    }

    async Task DropSchemaAndBucketAsync()
    {
        // Unpooled: after a PostgreSQL restart the pool still holds connections the server has terminated.
        var unpooled = new NpgsqlConnectionStringBuilder(Settings["Pipeline__EventStore__PostgresConnectionString"]) { Pooling = false };
        await using (var connection = new NpgsqlConnection(unpooled.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"fault_{_id}\" CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
        if (_client is null) return;
        // The bucket's objects through the client's own store, then the bucket itself.
        foreach (var key in await Artifacts.ListAsync("")) await Artifacts.DeleteAsync(key);
        var url = new Uri(Settings["Pipeline__Artifacts__S3__ServiceUrl"]);
        using var minio = new MinioClient().WithEndpoint(url.Authority).WithCredentials("test", "test").WithSSL(url.Scheme == "https").Build();
        try
        {
            await minio.RemoveBucketAsync(new RemoveBucketArgs().WithBucket(Settings["Pipeline__Artifacts__S3__Bucket"]));
        }
        catch (BucketNotFoundException)
        {
            // never created
        }
    }
}
