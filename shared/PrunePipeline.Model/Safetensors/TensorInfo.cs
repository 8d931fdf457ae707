namespace PrunePipeline.Model.Safetensors;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">Tensor name, e.g. <c>model.layers.0.self_attn.q_proj.weight</c>.</param>
/// <param name="DType">Safetensors dtype string (F32, F16, BF16, …).</param>
/// <param name="Shape">Dimensions, outermost first (a linear weight is [out, in]).</param>
/// <param name="Begin">Byte offset of the data, relative to the start of the data section.</param>
/// <param name="End">Byte offset one past the data, relative to the start of the data section.</param>
/// <param name="File">The file holding the tensor.</param>
public sealed record TensorInfo(string Name, string DType, long[] Shape, long Begin, long End, string File)
{
    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The shape as text, e.g. [4096, 11008].</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
