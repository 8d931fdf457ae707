namespace PrunePipeline.Model;

/// <summary>
/// Receives the exact input of each group of linears during <see cref="DecoderBlock.Forward"/> (calibration builds
/// Hessians XᵀX from these). Input names: <c>attn_in</c> (normed input to q/k/v), <c>o_in</c> (attention output
/// before o_proj), <c>mlp_in</c> (normed input to gate/up), <c>down_in</c> (silu(gate)·up).
/// </summary>
public interface ILinearInputObserver
{
    /// <summary><paramref name="x"/> is rows × cols row-major (rows = tokens); valid only during the call.</summary>
    void Observe(string inputName, ReadOnlySpan<float> x, int rows, int cols);
}
