using System.Numerics.Tensors;

namespace PrunePipeline.Model.Kernels;

/// <summary>RMSNorm over the last dimension: y[r,:] = x[r,:] / sqrt(mean(x[r,:]²) + eps) ⊙ w. Shapes: x, y rows×cols; w cols.</summary>
public static class RmsNorm
{
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, int rows, int cols, float eps)
    {
        if (weight.Length != cols) throw new ArgumentException($"weight has {weight.Length} values, needs {cols}", nameof(weight));
        if (x.Length < (long)rows * cols || y.Length < (long)rows * cols)
            throw new ArgumentException($"x/y need {rows}×{cols} values, have {x.Length}/{y.Length}");
        for (var r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            // Mean of squares in double: a long row of large activations loses digits in a float sum.
            var ss = 0.0;
            for (var i = 0; i < cols; i++) ss += (double)xr[i] * xr[i];
            var scale = (float)(1.0 / Math.Sqrt(ss / cols + eps));
            TensorPrimitives.Multiply(xr, scale, yr);
            TensorPrimitives.Multiply(yr, weight, yr);
        }
    }
}
