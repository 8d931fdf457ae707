namespace PrunePipeline.Contracts;

/// <summary>
/// The pruning method and its parameters (algorithm.md §4–§6) as the user chose them; same names and defaults as
/// the workflow's <c>PruneParameters</c>, so the coordinator maps one to the other field by field.
/// </summary>
/// <param name="Method">prox | wanda | sparsegpt | magnitude.</param>
/// <param name="Refine">none | gd | exact: masked refinement (§5) after the method.</param>
/// <param name="RefineSteps">Gradient steps of "gd" refinement.</param>
/// <param name="Lambda0">Prox: initial λ.</param>
/// <param name="Beta">Prox: λ growth factor per iteration.</param>
/// <param name="MaxIters">Prox: K_max.</param>
/// <param name="Damping">SparseGPT: relative damping δ.</param>
/// <param name="Pattern">Sparsity pattern, "2:4".</param>
public sealed record PruneMethodSettings(
    string Method,
    string Refine = "none",
    int RefineSteps = 1000,
    double Lambda0 = 0.01,
    double Beta = 1.01,
    int MaxIters = 2000,
    double Damping = 0.01,
    string Pattern = "2:4");
