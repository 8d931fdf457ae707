using PrunePipeline.Errors;
using PrunePipeline.Pruning.Prox;

namespace PrunePipeline.Pruning;

/// <summary>
/// Everything that can be chosen when pruning one linear layer; defaults are those of algorithm.md §3–§6.
/// <para><see cref="Refine"/> = null means the method's default: <see cref="RefineMode.Gd"/> for
/// <see cref="PruneMethod.Prox"/> (step 6 of §4 is part of that method) and <see cref="RefineMode.None"/> for the
/// baselines (Wanda, SparseGPT and magnitude as published; "+MG" is asked for explicitly). The mode actually used is
/// <see cref="LayerPruneResult.Refine"/>.</para>
/// </summary>
/// <param name="Method">Pruning method.</param>
/// <param name="Pattern">Sparsity pattern (null = 2:4). Prox supports 2:4 only.</param>
/// <param name="Refine">Refinement after pruning; null = method default (see above).</param>
/// <param name="RefineSteps">Gradient steps of <see cref="RefineMode.Gd"/> (§5: 1000).</param>
/// <param name="Lambda0">Initial λ of the paper schedule λ0·β^k (§4: 0.01); the adaptive schedule's floor.</param>
/// <param name="Beta">Growth factor of λ per iteration of the paper schedule (§4: 1.01).</param>
/// <param name="MaxIters">K_max of §4 (2000).</param>
/// <param name="Damping">SparseGPT relative damping δ: H + δ·mean(diag H)·I (§6: 0.01).</param>
/// <param name="BlockSize">SparseGPT column block (§6: 128; rounded up to a multiple of M for N:M).</param>
/// <param name="ScaleLambdaByStep">§4 applies prox with weight η·λ (derived choice); false uses λ alone.</param>
/// <param name="RefineInRescaledSpace">Prox step 6 runs on V against V₀ and Ĥ (§4), true by default.
/// For the baselines GD runs on W against W₀ and H as §5 states.</param>
/// <param name="DampingRetries">SparseGPT: how many times δ is multiplied by 10 when the damped H is still not
/// positive definite, before giving up with an error.</param>
/// <param name="SymmetryTolerance">H must satisfy |H_ij − H_ji| ≤ tol·max_k |H_kk|.</param>
/// <param name="ParallelProx">Spread the prox over the cores (Parallel.For over chunks of groups).</param>
/// <param name="Prox">Options of the group prox (§3).</param>
/// <param name="Schedule">How λ grows and which rows are iterated (<see cref="ProxSchedule"/>): the adaptive schedule
/// (issue #12) is the default: it uses about a sixth of the paper schedule's GEMMs (stories260K: 17.9 %) for the same
/// summed local loss, and its stories260K perplexities over five calibration seeds are within the paper schedule's
/// seed-to-seed spread (README). The paper's schedule stays available (the README's quality table uses it).</param>
/// <param name="FastBeta">Adaptive schedule: λ's growth per iteration while the supports barely change.</param>
/// <param name="StartDivisor">Adaptive schedule: λ starts this factor below the level where the first groups turn
/// 2-sparse, so the iterate can follow the regularisation path into the region where supports are decided.</param>
/// <param name="ActiveRows">Adaptive schedule: rows that are 2:4 leave the iteration (compacted GEMM).</param>
/// <param name="CgSteps">Most conjugate-gradient steps of <see cref="RefineMode.Cg"/> (each row stops on its own once
/// its residual fell by <see cref="CgTolerance"/>).</param>
/// <param name="CgTolerance">Relative residual ‖r‖/‖r₀‖ at which a row's conjugate gradient stops.</param>
/// <param name="CompactEvery">Adaptive schedule with <see cref="ActiveRows"/>: every how many iterations the rows that
/// became 2:4 are dropped from the working set.</param>
/// <param name="Momentum">Adaptive schedule: γ of the momentum step y = V + γ·(V − V_prev) at which the gradient is
/// taken (0 = none). With momentum the iterate follows the regularisation path closely enough for λ to grow faster
/// than the paper's rate; γ = 0.95 with growth 1.03 gave the lowest local losses but 4–7 % higher stories260K
/// perplexities, γ = 0.5 with growth 1.015 the paper's perplexities within noise (measured, README).</param>
/// <param name="AdaptiveBeta">Adaptive schedule: λ's growth per iteration while supports are being decided (the
/// paper schedule's <see cref="Beta"/> does not apply to it).</param>
/// <param name="Device">Where the span-based entry points compute: cpu, cuda, cuda:N, or null/auto (CUDA when
/// available, else CPU). The tensor-based entry points compute where their inputs live.</param>
public sealed record LayerPruneSettings(
    PruneMethod Method = PruneMethod.Prox,
    SparsityPattern? Pattern = null,
    RefineMode? Refine = null,
    int RefineSteps = 1000,
    double Lambda0 = 0.01,
    double Beta = 1.01,
    int MaxIters = 2000,
    double Damping = 0.01,
    int BlockSize = 128,
    bool ScaleLambdaByStep = true,
    bool RefineInRescaledSpace = true,
    int DampingRetries = 3,
    double SymmetryTolerance = 1e-4,
    bool ParallelProx = true,
    Prox24Options? Prox = null,
    string? Device = null,
    ProxSchedule Schedule = ProxSchedule.Adaptive,
    double FastBeta = 1.05,
    double StartDivisor = 100,
    bool ActiveRows = true,
    int CgSteps = 60,
    double CgTolerance = 1e-3,
    int CompactEvery = 8,
    double Momentum = 0.5,
    double AdaptiveBeta = 1.015)
{
    /// <summary>The pattern in force (2:4 when none was given).</summary>
    public SparsityPattern EffectivePattern => Pattern ?? SparsityPattern.TwoFour;

    /// <summary>The refinement in force: explicit, else for Prox conjugate gradient (adaptive schedule) or the paper's
    /// GD (paper schedule), and None for the baselines.</summary>
    public RefineMode EffectiveRefine => Refine ?? (Method != PruneMethod.Prox ? RefineMode.None
        : Schedule == ProxSchedule.Paper ? RefineMode.Gd : RefineMode.Cg);

    /// <summary>
    /// The one validation of pruning settings, shared by <c>prunectl layer</c>, <c>prunectl prune</c> and the pipeline's
    /// PruneRequested (through the workflow's parameters). Field names are the CLI's option names.
    /// </summary>
    public void Validate()
    {
        if (!(Lambda0 > 0) || !double.IsFinite(Lambda0)) throw new InvalidSettingException("lambda0", $"must be a positive number, got {Lambda0}.");
        // λ_k = λ0·β^k must grow for the prox schedule to reach a 2:4 pattern; with β ≤ 1 every layer would run to
        // the iteration cap and stop at whatever pattern it has.
        if (!(Beta > 1) || !double.IsFinite(Beta))
            throw new InvalidSettingException("beta", $"must be > 1 (λ grows as λ0·β^k until the pattern is 2:4; the default is 1.01), got {Beta}.");
        if (MaxIters < 1) throw new InvalidSettingException("max-iters", $"must be ≥ 1, got {MaxIters}.");
        if (!(FastBeta > 1) || !double.IsFinite(FastBeta)) throw new InvalidSettingException("fast-beta", $"must be > 1, got {FastBeta}.");
        if (!(StartDivisor >= 1) || !double.IsFinite(StartDivisor)) throw new InvalidSettingException("start-divisor", $"must be ≥ 1, got {StartDivisor}.");
        if (CompactEvery < 1) throw new InvalidSettingException("compact-every", $"must be ≥ 1, got {CompactEvery}.");
        if (!(AdaptiveBeta > 1) || !double.IsFinite(AdaptiveBeta)) throw new InvalidSettingException("adaptive-beta", $"must be > 1, got {AdaptiveBeta}.");
        if (!(Momentum >= 0) || !(Momentum < 1)) throw new InvalidSettingException("momentum", $"must lie in [0, 1), got {Momentum}.");
        if (CgSteps < 0) throw new InvalidSettingException("cg-steps", $"must be ≥ 0, got {CgSteps}.");
        if (!(CgTolerance > 0) || !(CgTolerance < 1)) throw new InvalidSettingException("cg-tolerance", $"must lie in (0, 1), got {CgTolerance}.");
        if (RefineSteps < 0) throw new InvalidSettingException("refine-steps", $"must be ≥ 0, got {RefineSteps}.");
        if (!(Damping > 0) || !double.IsFinite(Damping)) throw new InvalidSettingException("damping", $"must be a positive number, got {Damping}.");
        if (BlockSize < 1) throw new InvalidSettingException("block-size", $"must be ≥ 1, got {BlockSize}.");
        if (DampingRetries < 0) throw new InvalidSettingException("damping-retries", $"must be ≥ 0, got {DampingRetries}.");
        if (!(SymmetryTolerance >= 0)) throw new InvalidSettingException("symmetry-tolerance", $"must be ≥ 0, got {SymmetryTolerance}.");
        if (Method == PruneMethod.Prox && !EffectivePattern.IsTwoFour)
            throw new InvalidSettingException("pattern", $"the prox method supports the 2:4 pattern only, got {EffectivePattern}.");
        (Prox ?? Prox24Options.Default).Validate();
    }
}
