namespace PrunePipeline.Workflow.Hessians;

/// <summary>
/// One calibration Hessian H = (1/N)·Σ x xᵀ of a linear-layer input (algorithm.md §1).
/// </summary>
/// <param name="InputName">"attn_in", "o_in", "mlp_in" or "down_in".</param>
/// <param name="N">Input features n; <paramref name="Values"/> is n×n row-major, full symmetric.</param>
/// <param name="Tokens">Calibration vectors N that were summed.</param>
/// <param name="Values">H, fp32.</param>
public sealed record LayerHessian(string InputName, int N, long Tokens, float[] Values);
