using MassTransit;

namespace PrunePipeline.ServiceDefaults.Tests;

/// <summary>Answers every probe at once, so the measured time is the transport's.</summary>
public sealed class EchoConsumer : IConsumer<LatencyProbe>
{
    public Task Consume(ConsumeContext<LatencyProbe> context) =>
        context.RespondAsync(new LatencyEcho(context.Message.RunId, context.Message.Index));
}
