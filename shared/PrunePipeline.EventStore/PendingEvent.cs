namespace PrunePipeline.EventStore;

/// <summary>An event ready for insertion: id and version assigned, data serialized.</summary>
internal sealed record PendingEvent(Guid Id, long Version, string Type, string Json, object Data);
