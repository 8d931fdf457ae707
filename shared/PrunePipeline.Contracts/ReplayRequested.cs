namespace PrunePipeline.Contracts;

/// <summary>
/// Start a new run from a stage of an existing one: the stages before <paramref name="FromStage"/> are not redone,
/// their artifacts (e.g. the source run's Hessians) are reused and the new run's events name them.
/// </summary>
/// <param name="RunId">The new run's id.</param>
/// <param name="SourceRunId">The run whose artifacts are reused.</param>
/// <param name="FromStage">First stage that is redone, e.g. "prune" (<see cref="PipelineStages"/>).</param>
/// <param name="Overrides">Parameters that differ from the source run.</param>
/// <param name="IdempotencyKey">Optional client key, as in <see cref="PruneRequested"/>.</param>
public sealed record ReplayRequested(
    Guid RunId,
    Guid SourceRunId,
    string FromStage,
    ReplayOverrides Overrides,
    string? IdempotencyKey = null);
