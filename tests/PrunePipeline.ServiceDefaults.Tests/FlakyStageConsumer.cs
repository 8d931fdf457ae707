using System.Collections.Concurrent;
using MassTransit;

namespace PrunePipeline.ServiceDefaults.Tests;

/// <summary>Throws a transient-looking IOException on the first N deliveries of a message, then succeeds; records the
/// time of every attempt so the test can see the stage retry policy at work.</summary>
public sealed class FlakyStageConsumer(FlakyLog log) : IConsumer<FlakyWork>
{
    public Task Consume(ConsumeContext<FlakyWork> context)
    {
        var attempts = log.Attempts.GetOrAdd(context.Message.Id, _ => new ConcurrentQueue<DateTime>());
        attempts.Enqueue(DateTime.UtcNow);
        if (attempts.Count <= context.Message.FailuresBeforeSuccess) throw new IOException($"transient fault {attempts.Count} (test)");
        log.Done.TrySetResult(context.Message.Id);
        return Task.CompletedTask;
    }
}
