using static TorchSharp.torch;

namespace PrunePipeline.Pruning.Tests;

/// <summary>
/// The array entry points compute on tensors that view the caller's W₀ and H (no copies, to keep a 7B block's peak
/// memory down), so they must never write them, and must compute exactly what the copying span entry point computes.
/// </summary>
public class ZeroCopyInputsTests
{
    public static TheoryData<PruneMethod, RefineMode> Cases()
    {
        var data = new TheoryData<PruneMethod, RefineMode>();
        foreach (var method in new[] { PruneMethod.Prox, PruneMethod.Wanda, PruneMethod.SparseGpt, PruneMethod.Magnitude })
            foreach (var refine in new[] { RefineMode.None, RefineMode.Gd, RefineMode.Cg, RefineMode.Exact })
                data.Add(method, refine);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ArrayInputsAreNotWrittenAndGiveTheSpanFormsResult(PruneMethod method, RefineMode refine)
    {
        const int rows = 6, cols = 12;
        var (w0, h) = ToyProblems.Make(rows, cols, 300, 7, mixing: 0.2);
        var (w0Before, hBefore) = ((float[])w0.Clone(), (float[])h.Clone());
        var settings = new LayerPruneSettings(method, Refine: refine, RefineSteps: 50);

        var viewed = LayerPruner.Run(w0, h, rows, cols, settings);
        Assert.Equal(w0Before, w0);
        Assert.Equal(hBefore, h);
        var copied = LayerPruner.Run(w0.AsSpan(), h.AsSpan(), rows, cols, settings);
        Assert.Equal(copied.Mask, viewed.Mask);
        Assert.Equal(copied.Weights, viewed.Weights);
        Assert.Equal(copied.LossAfterRefine, viewed.LossAfterRefine);

        if (refine == RefineMode.None) return;
        var pruned = LayerPruner.Run(w0, h, rows, cols, settings with { Refine = RefineMode.None });
        var weightsBefore = (float[])pruned.Weights.Clone();
        var refined = LayerRefinement.Run(w0, h, pruned.Weights, pruned.Mask, rows, cols, settings);
        Assert.Equal(weightsBefore, pruned.Weights);
        Assert.Equal(w0Before, w0);
        Assert.Equal(hBefore, h);
        Assert.Equal(1.0, PruneMasks.ValidGroupsFraction(refined, rows, cols, 2, 4));
    }

    [Theory]
    [InlineData(PruneMethod.Wanda, "2:4", 12)]   // one row per chunk
    [InlineData(PruneMethod.Wanda, "2:4", 40)]   // three rows per chunk, a short last chunk
    [InlineData(PruneMethod.Magnitude, "4:8", 30)]
    [InlineData(PruneMethod.Wanda, "0.5", 40)]   // unstructured Wanda ranks within rows: chunked too
    [InlineData(PruneMethod.Magnitude, "0.5", 12)] // unstructured magnitude ranks globally: not chunked
    public void ChunkedBaselineMasksMatchTheScalarTwin(PruneMethod method, string patternText, long chunkElements)
    {
        const int rows = 7, cols = 16;
        var (w0, h) = ToyProblems.Make(rows, cols, 300, 21, mixing: 0.2);
        var pattern = patternText.Contains(':') ? SparsityPattern.Parse(patternText) : SparsityPattern.Unstructured(double.Parse(patternText));
        var score = new float[rows * cols];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
                score[r * cols + c] = Math.Abs(w0[r * cols + c]) * (method == PruneMethod.Wanda ? MathF.Sqrt(Math.Max(0f, h[c * cols + c])) : 1f);
        var expected = new byte[rows * cols];
        if (!pattern.IsUnstructured) PruneMasks.KeepTopNPerGroup(score, expected, rows, cols, pattern.N, pattern.M);
        else if (method == PruneMethod.Wanda) PruneMasks.PruneLowestPerRow(score, expected, rows, cols, pattern.UnstructuredRatio!.Value);
        else PruneMasks.PruneLowestGlobal(score, expected, rows, cols, pattern.UnstructuredRatio!.Value);

        using var tw0 = tensor(w0, [rows, cols]);
        using var th = tensor(h, [cols, cols]);
        using var mask = LayerPruner.BaselineMask(tw0, th, pattern, method, chunkElements);
        Assert.Equal(expected, mask.data<byte>().ToArray());
    }
}
