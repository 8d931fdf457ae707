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
        var (w0, h) = TestData.CorrelatedLayer(rows, cols, 96, seed: 4, spread: 5);
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
