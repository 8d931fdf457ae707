namespace PrunePipeline.Coordinator;

/// <summary>A command to send (or, for RunCompleted, an event the coordinator records itself), with its
/// deterministic message id.</summary>
public sealed record PlannedMessage(Guid Id, object Message);
