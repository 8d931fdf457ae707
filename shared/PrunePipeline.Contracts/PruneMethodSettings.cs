using PrunePipeline.Errors;

namespace PrunePipeline.Contracts;

/// <summary>
/// The pruning method and its parameters (algorithm.md §4–§6) as the user chose them: the one record that the CLI
/// parses, the pipeline's messages carry, the workflow runs and sparsity.json / report.json record. Its defaults are
/// the defaults of every verb; <see cref="DefaultRefine"/> is the one rule for an omitted <c>--refine</c>.
/// </summary>
/// <param name="Method">prox | wanda | sparsegpt | magnitude.</param>
/// <param name="Refine">none | gd | exact | cg: masked refinement (§5) after the method (for prox, "none" skips step 6).</param>
/// <param name="RefineSteps">Gradient steps of "gd" refinement.</param>
/// <param name="Lambda0">Prox, paper schedule: initial λ (the adaptive schedule's floor).</param>
/// <param name="Beta">Prox, paper schedule: λ growth factor per iteration (the adaptive schedule has its own).</param>
/// <param name="MaxIters">Prox: K_max.</param>
/// <param name="Damping">SparseGPT: relative damping δ.</param>
/// <param name="Pattern">Sparsity pattern; only "2:4".</param>
/// <param name="Schedule">Prox: adaptive (the default, issue #12: λ starts near the first support changes, momentum,
/// finished rows leave the GEMM; about a sixth of the paper schedule's GEMMs) | paper (λ0·β^k as published).</param>
/// <param name="Momentum">Adaptive schedule: γ of the momentum step y = V + γ·(V − V_prev) (0 = none).</param>
/// <param name="AdaptiveBeta">Adaptive schedule: λ's growth per iteration while supports are being decided.</param>
/// <param name="FastBeta">Adaptive schedule: λ's growth per iteration when no group changed support.</param>
/// <param name="StartDivisor">Adaptive schedule: λ starts this factor below the level where the first groups turn 2-sparse.</param>
/// <param name="CompactEvery">Adaptive schedule: every how many iterations the rows that became 2:4 leave the GEMM.</param>
/// <param name="CgTolerance">"cg" refinement: relative residual ‖r‖/‖r₀‖ at which a row stops.</param>
/// <remarks>The adaptive knobs were added after the record was first carried in messages and events; a JSON without
/// them reads as these defaults (those of the pruning library's LayerPruneSettings, tested equal).</remarks>
public sealed record PruneMethodSettings(
    string Method,
    string Refine,
    int RefineSteps = 1000,
    double Lambda0 = 0.01,
    double Beta = 1.01,
    int MaxIters = 2000,
    double Damping = 0.01,
    string Pattern = "2:4",
    string Schedule = "adaptive",
    double Momentum = 0.5,
    double AdaptiveBeta = 1.015,
    double FastBeta = 1.05,
    double StartDivisor = 100,
    int CompactEvery = 8,
    double CgTolerance = 1e-3)
{
    public static IReadOnlyList<string> Methods { get; } = ["prox", "wanda", "sparsegpt", "magnitude"];

    public static IReadOnlyList<string> RefineKinds { get; } = ["none", "gd", "exact", "cg"];

    public static IReadOnlyList<string> Schedules { get; } = ["paper", "adaptive"];

    /// <summary>The refinement when the user names none: for prox conjugate gradient "cg" after the adaptive schedule
    /// (the default; it reaches GD's loss in far fewer GEMMs) and the paper's step-6 "gd" after the paper schedule; the
    /// baselines are measured as published, without refinement ("none").</summary>
    public static string DefaultRefine(string method, string schedule = "adaptive") =>
        method != "prox" ? "none" : schedule == "adaptive" ? "cg" : "gd";

    /// <summary>Whether a refinement stage runs after the method.</summary>
    public bool Refines => Refine != "none";

    /// <summary>Rejects values that cannot work, naming the field.</summary>
    public void Validate()
    {
        if (!Methods.Contains(Method)) throw new InvalidSettingException("method", $"'{Method}' is unknown; use one of {string.Join(", ", Methods)}.");
        if (!RefineKinds.Contains(Refine)) throw new InvalidSettingException("refine", $"'{Refine}' is unknown; use one of {string.Join(", ", RefineKinds)}.");
        if (!Schedules.Contains(Schedule)) throw new InvalidSettingException("schedule", $"'{Schedule}' is unknown; use one of {string.Join(", ", Schedules)}.");
        if (Pattern != "2:4") throw new InvalidSettingException("pattern", $"'{Pattern}' is not supported; only 2:4.");
        if (RefineSteps < 0) throw new InvalidSettingException("refine-steps", $"must be ≥ 0, got {RefineSteps}.");
        if (!(Lambda0 > 0)) throw new InvalidSettingException("lambda0", $"must be > 0, got {Lambda0}.");
        if (!(Beta > 1) || !double.IsFinite(Beta))
            throw new InvalidSettingException("beta", $"must be > 1 (λ grows as λ0·β^k until the pattern is 2:4; the default is 1.01), got {Beta}.");
        if (MaxIters < 1) throw new InvalidSettingException("max-iters", $"must be ≥ 1, got {MaxIters}.");
        if (!(Damping > 0)) throw new InvalidSettingException("damping", $"must be > 0, got {Damping}.");
        if (!(Momentum >= 0) || !(Momentum < 1)) throw new InvalidSettingException("momentum", $"must lie in [0, 1), got {Momentum}.");
        if (!(AdaptiveBeta > 1) || !double.IsFinite(AdaptiveBeta)) throw new InvalidSettingException("adaptive-beta", $"must be > 1, got {AdaptiveBeta}.");
        if (!(FastBeta > 1) || !double.IsFinite(FastBeta)) throw new InvalidSettingException("fast-beta", $"must be > 1, got {FastBeta}.");
        if (!(StartDivisor >= 1) || !double.IsFinite(StartDivisor)) throw new InvalidSettingException("start-divisor", $"must be ≥ 1, got {StartDivisor}.");
        if (CompactEvery < 1) throw new InvalidSettingException("compact-every", $"must be ≥ 1, got {CompactEvery}.");
        if (!(CgTolerance > 0) || !(CgTolerance < 1)) throw new InvalidSettingException("cg-tolerance", $"must lie in (0, 1), got {CgTolerance}.");
    }
}
