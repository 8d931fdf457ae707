namespace PrunePipeline.ServiceDefaults.Configuration;

/// <summary>Section "Pipeline:Bus" (env: <c>Pipeline__Bus__Transport</c>, <c>Pipeline__Bus__RabbitMqUri</c>, …).</summary>
public sealed class BusOptions
{
    /// <summary>InMemory (embedded) or RabbitMq (distributed).</summary>
    public BusTransport Transport { get; set; } = BusTransport.InMemory;

    /// <summary>amqp://user:password@host:5672/vhost — required for RabbitMq.</summary>
    public string? RabbitMqUri { get; set; }

    /// <summary>Messages a stage endpoint takes from the broker at once (every stage endpoint and the transport default).
    /// 1 for pruners: each PruneLayer is heavy, and a low prefetch is what spreads layers over competing pruner processes
    /// instead of queueing them at one.</summary>
    public int PrefetchCount { get; set; } = 1;

    /// <summary>Optional prefix of every queue and exchange, so several pipelines (or test runs) can share one broker.</summary>
    public string? EntityPrefix { get; set; }
}
