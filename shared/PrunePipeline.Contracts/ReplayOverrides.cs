namespace PrunePipeline.Contracts;

/// <summary>What a replay changes; null fields keep the source run's value.</summary>
public sealed record ReplayOverrides(
    string? Method = null,
    string? Refine = null,
    int? RefineSteps = null,
    double? Lambda0 = null,
    double? Beta = null,
    int? MaxIters = null,
    double? Damping = null,
    EvaluationSettings? Evaluation = null);
