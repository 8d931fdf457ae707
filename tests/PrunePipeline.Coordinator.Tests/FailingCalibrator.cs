using MassTransit;
using PrunePipeline.Contracts;

namespace PrunePipeline.Coordinator.Tests;

/// <summary>A calibrator whose infrastructure is broken: a transient-looking fault (IOException) on every message.
/// Registered without retry, so MassTransit publishes Fault&lt;CalibrateBlock&gt; at once.</summary>
public sealed class FailingCalibrator : IConsumer<CalibrateBlock>
{
    public Task Consume(ConsumeContext<CalibrateBlock> context) => throw new IOException("disk on fire (test)");
}
