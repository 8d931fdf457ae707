namespace PrunePipeline.Contracts;

/// <summary>Event: perplexities of a model, one per dataset.</summary>
/// <param name="Model">Which model: <see cref="EvaluatedModel.Dense"/> (report.json's "before") or
/// <see cref="EvaluatedModel.Pruned"/> ("after").</param>
public sealed record ModelEvaluated(Guid RunId, string ModelPrefix, IReadOnlyList<DatasetPerplexity> Results, double Seconds,
    EvaluatedModel Model = EvaluatedModel.Pruned);
