namespace PrunePipeline.Model;

/// <summary>One linear layer of a decoder block: <c>y = x·Wᵀ</c> with W stored rows=out × cols=in, row-major.</summary>
/// <param name="ShortName">Name inside the block, e.g. <c>self_attn.q_proj</c>.</param>
/// <param name="TensorName">Full HF tensor name, e.g. <c>model.layers.3.self_attn.q_proj.weight</c>.</param>
/// <param name="InputName">Which observed input feeds it: attn_in, o_in, mlp_in or down_in.</param>
public sealed record LinearWeight(string ShortName, string TensorName, string InputName, float[] Weights, int Rows, int Cols);
