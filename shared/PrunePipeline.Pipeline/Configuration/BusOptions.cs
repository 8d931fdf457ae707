namespace PrunePipeline.Pipeline.Configuration;

/// <summary>Section "Pipeline:Bus" (env: <c>Pipeline__Bus__Transport</c>, <c>Pipeline__Bus__RabbitMqUri</c>, …).</summary>
public sealed class BusOptions
{
    /// <summary>InMemory (embedded) or RabbitMq (distributed).</summary>
    public BusTransport Transport { get; set; } = BusTransport.InMemory;

    /// <summary>amqp://user:password@host:5672/vhost — required for RabbitMq.</summary>
    public string? RabbitMqUri { get; set; }

    /// <summary>Messages a consumer process takes at once. 1 for pruners: each PruneLayer is heavy, and a low
    /// prefetch is what spreads layers over competing pruner processes instead of queueing them at one.</summary>
    public int PrefetchCount { get; set; } = 1;
}
