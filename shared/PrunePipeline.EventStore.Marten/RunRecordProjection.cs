using JasperFx.Events;
using Marten.Events.Aggregation;

namespace PrunePipeline.EventStore.Marten;

/// <summary>
/// The run's fold as a Marten single-stream projection, run inline (in the append's transaction). It adapts
/// <see cref="RunState.Create"/>/<see cref="RunState.Apply"/> (which take any event as <c>object</c>) through Marten's
/// <c>Evolve</c> override, so events added to RunState need nothing here and RunState stays free of Marten.
/// </summary>
public sealed class RunRecordProjection(IRunSummaryProjection summaries) : SingleStreamProjection<RunRecord, Guid>
{
    /// <summary>Event header that carries the stream type given to AppendAsync: only "run" streams get a record.</summary>
    public const string StreamTypeHeader = "stream_type";

    public override RunRecord? Evolve(RunRecord? snapshot, Guid id, IEvent e)
    {
        if (snapshot is null && !IsRunStream(e)) return null;
        // PostgreSQL keeps microseconds; the summary must equal a fold of what is read back.
        var time = e.Timestamp.AddTicks(-(e.Timestamp.Ticks % 10)).ToUniversalTime();
        var created = snapshot?.Created ?? time;
        var state = snapshot?.State is { } s ? RunState.Apply(s, e.Data, e.Version) : RunState.Create(e.Data, e.Version);
        return new RunRecord(id, created, state, state is null ? null : summaries.Summarise(state, created, time));
    }

    static bool IsRunStream(IEvent e) => e.GetHeader(StreamTypeHeader)?.ToString() == StreamTypes.Run;
}
