namespace PrunePipeline.Cli.Pipeline;

/// <summary>bench-pipeline's round-trip probe (MassTransit needs message types in a namespace).</summary>
public sealed record BenchPing(int Index);

/// <summary>The answer to <see cref="BenchPing"/>.</summary>
public sealed record BenchPong(int Index);

/// <summary>Answers at once, so the measured time is the transport's.</summary>
public sealed class BenchPingConsumer : MassTransit.IConsumer<BenchPing>
{
    public Task Consume(MassTransit.ConsumeContext<BenchPing> context) => context.RespondAsync(new BenchPong(context.Message.Index));
}
