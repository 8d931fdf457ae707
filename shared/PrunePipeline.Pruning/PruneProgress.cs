namespace PrunePipeline.Pruning;

/// <summary>Progress of one layer: the stage ("prox", "refine", "sparsegpt"), the iteration within it and,
/// for the prox stage, λ and the groups that still have more than two non-zeros.</summary>
public sealed record PruneProgress(string Stage, int Iteration, int MaxIterations, double Lambda = 0, long DenseGroups = 0);
