namespace PrunePipeline.EventStore.Marten;

/// <summary>
/// The Marten document of a run stream, kept by the inline <see cref="RunRecordProjection"/>: the fold itself (so each
/// append applies only its own events) and the summary that <c>prunectl runs</c>/<c>show</c> read.
/// </summary>
/// <param name="Id">The run (its stream id).</param>
/// <param name="Created">The stream's first event time (the summary's Created, even before the fold starts).</param>
/// <param name="State">The <see cref="RunState"/> fold; null while the stream has not started a run.</param>
/// <param name="Summary">The summary of <paramref name="State"/>; null with it.</param>
public sealed record RunRecord(Guid Id, DateTimeOffset Created, RunState? State, RunSummary? Summary);
