namespace PrunePipeline.Contracts;

/// <summary>Command to the evaluator: perplexities of a model.</summary>
/// <param name="RunId">The run.</param>
/// <param name="ModelPrefix">Pruned: the artifact prefix of the assembled model. Dense: the source model directory
/// (<see cref="PruneRequested.ModelLocation"/>).</param>
/// <param name="Evaluation">Data sets and window length.</param>
/// <param name="Model"><see cref="EvaluatedModel.Dense"/> or <see cref="EvaluatedModel.Pruned"/>.</param>
public sealed record EvaluateModel(Guid RunId, string ModelPrefix, EvaluationSettings Evaluation, EvaluatedModel Model = EvaluatedModel.Pruned);
