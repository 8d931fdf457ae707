using PrunePipeline.EventStore;
using PrunePipeline.Contracts;
using PrunePipeline.ServiceDefaults.Configuration;
using PrunePipeline.ServiceDefaults;

namespace PrunePipeline.Cli.Pipeline;

/// <summary>Publishes a PruneRequested / ReplayRequested. Distributed (RabbitMQ): publish and return (the services do
/// the work; follow with prunectl watch). Embedded (in-memory bus): nobody else could consume it, so this process
/// hosts the whole pipeline and returns when the run has finished.</summary>
internal static class RunSubmission
{
    public static async Task<int> SubmitAsync(Microsoft.Extensions.Configuration.IConfiguration configuration, object message, Guid runId, CancellationToken ct)
    {
        var embedded = PipelineOptions.FromConfiguration(configuration).Bus.Transport == BusTransport.InMemory;
        await using var host = await PipelineHost.StartAsync(configuration, embedded, ct);
        await host.PublishAsync(message, ct);
        Console.WriteLine(runId.ToString("D"));
        if (!embedded) return 0;
        Console.Error.WriteLine("(embedded configuration: running the pipeline in this process)");
        var events = await RunFollower.FollowAsync(host.Events, runId, (e, state) => Console.Error.WriteLine("  " + RunFollower.Describe(e, state)), TimeSpan.FromDays(1), ct);
        return events[^1].Data is RunCompleted ? 0 : 1;
    }
}
