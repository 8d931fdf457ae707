namespace PrunePipeline.EventStore;

/// <summary>One event to append: a message record whose type is registered in the <see cref="EventTypeRegistry"/>.</summary>
public sealed record EventToAppend(object Data);
