namespace PrunePipeline.EventStore;

/// <summary>Outcome of an append.</summary>
/// <param name="FirstVersion">Stream version of the first event appended (or found, for a duplicate).</param>
/// <param name="LastVersion">Stream version of the last one.</param>
/// <param name="Duplicate">True when these events were already stored by an earlier call with the same causation id.</param>
public sealed record AppendResult(long FirstVersion, long LastVersion, bool Duplicate);
