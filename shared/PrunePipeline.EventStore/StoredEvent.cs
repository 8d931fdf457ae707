namespace PrunePipeline.EventStore;

/// <summary>An event as stored.</summary>
/// <param name="Sequence">Global position (seq_id), increasing in commit order.</param>
/// <param name="Id">Event id (derived from the causation id when there is one).</param>
/// <param name="StreamId">The stream (= run id for run streams).</param>
/// <param name="Version">Position in the stream, 1-based.</param>
/// <param name="Type">Stable snake_case alias, e.g. "layer_pruned".</param>
/// <param name="Data">The deserialized record, or a <see cref="System.Text.Json.JsonElement"/> for an alias this process
/// does not know (older readers keep working when new event types appear).</param>
/// <param name="Timestamp">When it was appended (UTC).</param>
/// <param name="CausationId">The message that caused it, if given.</param>
public sealed record StoredEvent(
    long Sequence,
    Guid Id,
    Guid StreamId,
    long Version,
    string Type,
    object Data,
    DateTimeOffset Timestamp,
    Guid? CausationId);
