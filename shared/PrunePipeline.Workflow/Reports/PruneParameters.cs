using PrunePipeline.Errors;

namespace PrunePipeline.Workflow.Reports;

/// <summary>
/// The method and all its parameters (algorithm.md §4–§6) as the user chose them. It is recorded verbatim in
/// sparsity.json / report.json and is what the pipeline's PruneRequested carries.
/// </summary>
/// <param name="Method">prox | wanda | sparsegpt | magnitude.</param>
/// <param name="Refine">none | gd | exact (masked refinement of §5 after the method; for prox "none" skips step 6).</param>
/// <param name="RefineSteps">Gradient steps of "gd" refinement.</param>
/// <param name="Lambda0">Prox: initial λ.</param>
/// <param name="Beta">Prox: λ growth factor per iteration.</param>
/// <param name="MaxIters">Prox: K_max.</param>
/// <param name="Damping">SparseGPT: relative damping δ.</param>
/// <param name="Pattern">Sparsity pattern; only "2:4".</param>
public sealed record PruneParameters(
    string Method,
    string Refine = "none",
    int RefineSteps = 1000,
    double Lambda0 = 0.01,
    double Beta = 1.01,
    int MaxIters = 2000,
    double Damping = 0.01,
    string Pattern = "2:4")
{
    public static IReadOnlyList<string> Methods { get; } = ["prox", "wanda", "sparsegpt", "magnitude"];

    public static IReadOnlyList<string> RefineKinds { get; } = ["none", "gd", "exact"];

    /// <summary>Rejects values that cannot work, naming the field: the names here, the numbers in
    /// <see cref="PrunePipeline.Pruning.LayerPruneSettings.Validate"/> (the one place for them).</summary>
    public void Validate()
    {
        if (!Methods.Contains(Method)) throw new InvalidSettingException("method", $"'{Method}' is unknown; use one of {string.Join(", ", Methods)}.");
        if (!RefineKinds.Contains(Refine)) throw new InvalidSettingException("refine", $"'{Refine}' is unknown; use one of {string.Join(", ", RefineKinds)}.");
        if (Pattern != "2:4") throw new InvalidSettingException("pattern", $"'{Pattern}' is not supported; only 2:4.");
        Stages.PruningSettings.Settings(this).Validate();
    }
}
