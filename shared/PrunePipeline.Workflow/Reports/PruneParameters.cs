namespace PrunePipeline.Workflow.Reports;

/// <summary>
/// The method and all its parameters (algorithm.md §4–§6) as the user chose them. It is recorded verbatim in
/// sparsity.json / report.json and is what the pipeline's PruneRequested carries.
/// </summary>
/// <param name="Method">prox | wanda | sparsegpt | magnitude.</param>
/// <param name="Refine">none | gd | exact | cg (masked refinement of §5 after the method; for prox "none" skips step 6).</param>
/// <param name="RefineSteps">Gradient steps of "gd" refinement.</param>
/// <param name="Lambda0">Prox: initial λ.</param>
/// <param name="Beta">Prox: λ growth factor per iteration.</param>
/// <param name="MaxIters">Prox: K_max.</param>
/// <param name="Damping">SparseGPT: relative damping δ.</param>
/// <param name="Pattern">Sparsity pattern; only "2:4".</param>
/// <param name="Schedule">Prox: adaptive (default; issue #12) | paper (λ0·β^k, every row until all are 2:4).</param>
public sealed record PruneParameters(
    string Method,
    string Refine = "none",
    int RefineSteps = 1000,
    double Lambda0 = 0.01,
    double Beta = 1.01,
    int MaxIters = 2000,
    double Damping = 0.01,
    string Pattern = "2:4",
    string Schedule = "adaptive")
{
    public static IReadOnlyList<string> Methods { get; } = ["prox", "wanda", "sparsegpt", "magnitude"];

    public static IReadOnlyList<string> RefineKinds { get; } = ["none", "gd", "exact", "cg"];

    public static IReadOnlyList<string> Schedules { get; } = ["adaptive", "paper"];

    /// <summary>The refinement a user gets without choosing: CG after the adaptive prox, the paper's GD otherwise.</summary>
    public static string DefaultRefine(string? schedule) => schedule == "paper" ? "gd" : "cg";

    /// <summary>Rejects values that cannot work, naming the field.</summary>
    public void Validate()
    {
        if (!Methods.Contains(Method)) throw new ArgumentException($"method '{Method}' is unknown; use one of {string.Join(", ", Methods)}.");
        if (!RefineKinds.Contains(Refine)) throw new ArgumentException($"refine '{Refine}' is unknown; use one of {string.Join(", ", RefineKinds)}.");
        if (Pattern != "2:4") throw new ArgumentException($"pattern '{Pattern}' is not supported; only 2:4.");
        if (!Schedules.Contains(Schedule)) throw new ArgumentException($"schedule '{Schedule}' is unknown; use one of {string.Join(", ", Schedules)}.");
        if (RefineSteps < 0) throw new ArgumentException($"refine-steps must be ≥ 0, got {RefineSteps}.");
        if (!(Lambda0 > 0)) throw new ArgumentException($"lambda0 must be > 0, got {Lambda0}.");
        if (!(Beta >= 1)) throw new ArgumentException($"beta must be ≥ 1, got {Beta}.");
        if (MaxIters < 1) throw new ArgumentException($"max-iters must be ≥ 1, got {MaxIters}.");
        if (!(Damping > 0)) throw new ArgumentException($"damping must be > 0, got {Damping}.");
    }
}
