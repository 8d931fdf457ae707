namespace PrunePipeline.Contracts;

/// <summary>Command to the evaluator: perplexities of the model stored under <paramref name="ModelPrefix"/>.</summary>
public sealed record EvaluateModel(Guid RunId, string ModelPrefix, EvaluationSettings Evaluation);
