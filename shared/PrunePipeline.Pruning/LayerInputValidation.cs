using static TorchSharp.torch;

namespace PrunePipeline.Pruning;

/// <summary>Checks of a layer's inputs with messages that name the problem (shape, NaN/Inf position, asymmetry).</summary>
internal static class LayerInputValidation
{
    public static void Check(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, int rows, int cols, LayerPruneSettings settings)
    {
        if (rows <= 0 || cols <= 0) throw new ArgumentException($"W must have positive shape, got {rows}×{cols}.");
        if (w0.Length != (long)rows * cols)
            throw new ArgumentException($"W has {w0.Length} entries but its shape is {rows}×{cols} ({(long)rows * cols}).");
        if (h.Length != (long)cols * cols)
            throw new ArgumentException($"H has {h.Length} entries; it must be square {cols}×{cols} to match W's {cols} input columns.");
        var pattern = settings.EffectivePattern;
        if (!pattern.IsUnstructured && cols % pattern.M != 0)
            throw new ArgumentException($"W has {cols} input columns, not divisible by {pattern.M} as the {pattern} pattern needs.");
        CheckFinite(w0, cols, "W");
        CheckFinite(h, cols, "H");
        double maxDiag = 0;
        for (var j = 0; j < cols; j++) maxDiag = Math.Max(maxDiag, Math.Abs(h[j * cols + j]));
        var tol = settings.SymmetryTolerance * Math.Max(maxDiag, 1e-30);
        for (var i = 0; i < cols; i++)
            for (var j = i + 1; j < cols; j++)
            {
                var diff = Math.Abs((double)h[i * cols + j] - h[j * cols + i]);
                if (diff > tol)
                    throw new ArgumentException(
                        $"H is not symmetric: H[{i},{j}] = {h[i * cols + j]:G6} but H[{j},{i}] = {h[j * cols + i]:G6} (tolerance {tol:G3}).");
            }
        for (var j = 0; j < cols; j++)
            if (h[j * cols + j] < -tol)
                throw new ArgumentException($"H has a negative diagonal entry H[{j},{j}] = {h[j * cols + j]:G6}; it is not a Hessian XᵀX/N.");
    }

    /// <summary>The same checks on tensors of any device: reductions on the device, and only when one fails are the
    /// tensors copied to the CPU, where the span checks name the offending entry.</summary>
    public static void Check(Tensor w0, Tensor h, LayerPruneSettings settings)
    {
        if (w0.dim() != 2 || h.dim() != 2)
            throw new ArgumentException($"W and H must be matrices, got {w0.dim()} and {h.dim()} dimensions.");
        var rows = w0.shape[0];
        var cols = w0.shape[1];
        if (rows <= 0 || cols <= 0) throw new ArgumentException($"W must have positive shape, got {rows}×{cols}.");
        if (h.shape[0] != cols || h.shape[1] != cols)
            throw new ArgumentException($"H is {h.shape[0]}×{h.shape[1]}; it must be square {cols}×{cols} to match W's {cols} input columns.");
        if (w0.device_type != h.device_type || w0.device_index != h.device_index) throw new ArgumentException($"W is on {w0.device} but H is on {h.device}.");
        if (rows * cols > int.MaxValue) throw new ArgumentException($"W has {rows}×{cols} entries, more than one layer may have ({int.MaxValue}).");
        using var scope = NewDisposeScope();
        var diag = h.diagonal().abs();
        var tol = settings.SymmetryTolerance * Math.Max(diag.max().item<float>(), 1e-30);
        var ok = isfinite(w0).all().item<bool>() && isfinite(h).all().item<bool>()
            && (h - h.mT).abs().max().item<float>() <= tol && h.diagonal().min().item<float>() >= -tol;
        var pattern = settings.EffectivePattern;
        if (ok && (pattern.IsUnstructured || cols % pattern.M == 0)) return;
        Check(TorchLayer.ToFloats(w0), TorchLayer.ToFloats(h), (int)rows, (int)cols, settings);
    }

    private static void CheckFinite(ReadOnlySpan<float> a, int cols, string name)
    {
        for (var i = 0; i < a.Length; i++)
            if (!float.IsFinite(a[i]))
                throw new ArgumentException(
                    $"{name} contains {(float.IsNaN(a[i]) ? "NaN" : "Inf")} at flat index {i} (row {i / cols}, column {i % cols}).");
    }
}
