namespace PrunePipeline.Pipeline.Configuration;

/// <summary>The MassTransit transport.</summary>
public enum BusTransport
{
    InMemory,
    RabbitMq,
}
