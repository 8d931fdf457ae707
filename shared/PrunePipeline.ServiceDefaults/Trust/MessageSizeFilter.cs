using MassTransit;
using Microsoft.Extensions.Logging;
using PrunePipeline.ServiceDefaults.Configuration;

namespace PrunePipeline.ServiceDefaults.Trust;

/// <summary>
/// Refuses a received message whose body exceeds <c>Pipeline:Limits:MaxMessageBytes</c> before any consumer sees it:
/// it is logged and acknowledged, so nothing is stored (a 20 MB PruneRequested used to be appended to the history
/// and copied into the run summary). Registered on every receive endpoint of every process.
/// </summary>
public sealed class MessageSizeFilter<T>(PipelineOptions options, ILogger<MessageSizeFilter<T>> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var bytes = context.ReceiveContext.Body.Length;
        if (bytes > options.Limits.MaxMessageBytes)
        {
            logger.LogWarning("{Type} {MessageId} refused: {Bytes} bytes exceed Pipeline:Limits:MaxMessageBytes = {Limit}; nothing stored",
                typeof(T).Name, context.MessageId, bytes, options.Limits.MaxMessageBytes);
            // Consumed (and so acknowledged), not skipped: the broker must not keep the oversized body in a _skipped queue.
            await context.NotifyConsumed(context, TimeSpan.Zero, nameof(MessageSizeFilter<T>));
            return;
        }
        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("messageSizeLimit");
}
