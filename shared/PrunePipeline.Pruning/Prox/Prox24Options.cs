namespace PrunePipeline.Pruning.Prox;

/// <summary>
/// The named choices of the 2:4 prox (algorithm.md §3), with the specification's defaults.
/// </summary>
/// <param name="RelativeTolerance">A group stops when its largest coordinate change in one sweep is below
/// <c>RelativeTolerance·(1 + y1)</c>, y1 the group's largest magnitude.</param>
/// <param name="MaxSweeps">Hard cap on cyclic coordinate sweeps per candidate support.</param>
/// <param name="InteriorRestart">Not in §3 (an addition, on by default; false gives §3 verbatim): when a support-3
/// or support-4 descent from 0 ends with a zero coordinate, descend again from the "all magnitudes equal" fixed
/// point <c>x_i = 2y_i / (1 + √(1 + 2k·t·y_i))</c> (k = 2 or 6) and keep the better candidate. Near triple ties
/// (y3 within ~7 % of y1, t just above 1/y1) the descent from 0 collapses onto the boundary and misses the interior
/// minimiser — e.g. z = (0.0816, 0.0303, 0.0816, 0.0816), t = 13.1: §3 gives objective 0.003789, the minimum is
/// 0.003596. Adding a candidate can only lower the objective.</param>
public sealed record Prox24Options(double RelativeTolerance = 1e-7, int MaxSweeps = 1000, bool InteriorRestart = true)
{
    public static Prox24Options Default { get; } = new();

    internal void Validate()
    {
        if (!(RelativeTolerance > 0) || !double.IsFinite(RelativeTolerance))
            throw new ArgumentException($"Prox24Options.RelativeTolerance must be a positive finite number, got {RelativeTolerance}.");
        if (MaxSweeps < 1) throw new ArgumentException($"Prox24Options.MaxSweeps must be at least 1, got {MaxSweeps}.");
    }
}
