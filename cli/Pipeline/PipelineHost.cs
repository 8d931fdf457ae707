using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PrunePipeline.Artifacts;
using PrunePipeline.Errors;
using PrunePipeline.EventStore;
using PrunePipeline.ServiceDefaults.Configuration;
using PrunePipeline.ServiceDefaults;

namespace PrunePipeline.Cli.Pipeline;

/// <summary>A started host of the pipeline inside the CLI: with every stage (<see cref="EmbeddedPipeline.AddAllStages"/>)
/// or none (a client that publishes to RabbitMQ and reads the event store).</summary>
internal sealed class PipelineHost : IAsyncDisposable
{
    readonly IHost _host;

    PipelineHost(IHost host) => _host = host;

    public IBus Bus => _host.Services.GetRequiredService<IBus>();

    public IEventStore Events => _host.Services.GetRequiredService<IEventStore>();

    public IArtifactStore Artifacts => _host.Services.GetRequiredService<IArtifactStore>();

    public PipelineOptions Options => _host.Services.GetRequiredService<PipelineOptions>();

    public static async Task<PipelineHost> StartAsync(IConfiguration configuration, bool embedded, CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("MassTransit", LogLevel.Error);
        builder.Services.AddPipeline(builder.Configuration, embedded ? EmbeddedPipeline.Worker : "prunectl",
            embedded ? EmbeddedPipeline.AddAllStages : EmbeddedPipeline.NoStages);
        var host = builder.Build();
        await host.Services.GetRequiredService<IEventStore>().InitializeAsync(ct);
        await host.StartAsync(ct);
        return new PipelineHost(host);
    }

    /// <summary>Publishes through the bus; a broker that refuses us (wrong password) or cannot be reached becomes one
    /// line naming it (<see cref="ServiceUnavailableException"/>) instead of MassTransit's exception chain. MassTransit
    /// reports the same refusal as a ConnectionException with varying inner exceptions or as a bare cancellation,
    /// depending on timing, so the line always carries the broker's own reason, from a direct probe.</summary>
    public async Task PublishAsync(object message, CancellationToken ct)
    {
        try
        {
            await Bus.Publish(message, message.GetType(), ct);
        }
        catch (Exception e) when (e is ConnectionException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            var why = await ProbeRabbitMqAsync(Options.Bus.RabbitMqUri, ct) ?? e.GetBaseException().Message.ReplaceLineEndings(" ");
            throw new ServiceUnavailableException($"RabbitMQ refused the connection or could not be reached: {why}", e);
        }
    }

    /// <summary>One direct connection attempt with the broker's own client; the refusal's message (never the URI's
    /// password), or null when the broker accepts us after all.</summary>
    internal static async Task<string?> ProbeRabbitMqAsync(string? uri, CancellationToken ct)
    {
        if (uri is null || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed)) return null;
        var amqp = new UriBuilder(parsed) { Scheme = parsed.Scheme == "rabbitmq" ? "amqp" : parsed.Scheme }.Uri;
        try
        {
            var factory = new RabbitMQ.Client.ConnectionFactory { Uri = amqp, RequestedConnectionTimeout = TimeSpan.FromSeconds(10) };
            await using var connection = await factory.CreateConnectionAsync(ct);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var message = e.GetBaseException().Message.ReplaceLineEndings(" ");
            var password = Uri.UnescapeDataString(parsed.UserInfo.Split(':', 2) is [_, var p] ? p : "");
            return password.Length > 0 ? message.Replace(password, "***") : message;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _host.StopAsync(cts.Token);
        _host.Dispose();
    }
}
