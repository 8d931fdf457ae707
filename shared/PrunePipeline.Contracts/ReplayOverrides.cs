namespace PrunePipeline.Contracts;

/// <summary>What a replay changes; null fields keep the source run's value. An omitted <see cref="Refine"/> keeps the
/// source's refinement unless <see cref="Method"/> or <see cref="Schedule"/> changes, then it follows
/// <see cref="PruneMethodSettings.DefaultRefine"/> of the new method and schedule.</summary>
public sealed record ReplayOverrides(
    string? Method = null,
    string? Refine = null,
    int? RefineSteps = null,
    double? Lambda0 = null,
    double? Beta = null,
    int? MaxIters = null,
    double? Damping = null,
    EvaluationSettings? Evaluation = null,
    string? Schedule = null);
