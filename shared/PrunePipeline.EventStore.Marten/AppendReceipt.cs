namespace PrunePipeline.EventStore.Marten;

/// <summary>
/// Marten document stored in the same transaction as the events a message caused: its id is the first event's id
/// (<see cref="EventIds.Derive"/> of causation, stream, 0), so a redelivery finds it by primary key and appends nothing.
/// </summary>
public sealed record AppendReceipt(Guid Id, Guid StreamId, long FirstVersion, long LastVersion);
