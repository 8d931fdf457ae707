using PrunePipeline.Pruning;
using PrunePipeline.Contracts;
using PrunePipeline.Workflow.Stages;

namespace PrunePipeline.Workflow.Tests;

/// <summary>Issue #10: the prox method and its refinement exist once, so the single-call pruner (`prunectl layer`) and
/// the workflow's separate prune and refine stages (`prunectl prune`, the pipeline) give identical weights.</summary>
public class LayerAndPruneAgreeTests
{
    [Theory]
    [InlineData("prox", "gd")]
    [InlineData("prox", "exact")]
    [InlineData("sparsegpt", "gd")]
    [InlineData("wanda", "exact")]
    public void SingleCallAndStagesGiveIdenticalWeights(string method, string refine)
    {
        const int rows = 12, cols = 32;
        var rng = new Random(4);
        var x = new float[96 * cols];
        for (var i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * (1 + i % cols % 5);
        var h = new float[cols * cols];
        for (var s = 0; s < 96; s++)
            for (var i = 0; i < cols; i++)
                for (var j = 0; j < cols; j++) h[i * cols + j] += x[s * cols + i] * x[s * cols + j] / 96f;
        var w0 = new float[rows * cols];
        for (var i = 0; i < w0.Length; i++) w0[i] = (float)(rng.NextDouble() * 2 - 1);
        var parameters = new PruneMethodSettings(method, refine, RefineSteps: 40, MaxIters: 500);

        var single = LayerPruner.Run(w0, h, rows, cols, PruningSettings.Settings(parameters));
        var pruned = LayerPruneStage.Run("layer", w0, h, rows, cols, parameters);
        var refined = LayerRefineStage.Run(pruned, w0, h, parameters);

        Assert.Equal(single.Mask, pruned.Mask);
        Assert.Equal(single.LossBeforeRefine, pruned.Loss);
        Assert.Equal(single.Weights, refined.Weights);
        Assert.Equal(single.LossAfterRefine, refined.Loss);
        Assert.True(refined.Loss < pruned.Loss);
    }
}
