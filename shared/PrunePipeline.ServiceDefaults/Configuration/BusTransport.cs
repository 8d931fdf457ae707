namespace PrunePipeline.ServiceDefaults.Configuration;

/// <summary>The MassTransit transport.</summary>
public enum BusTransport
{
    InMemory,
    RabbitMq,
}
