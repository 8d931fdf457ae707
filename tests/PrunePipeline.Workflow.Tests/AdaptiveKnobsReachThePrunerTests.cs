using PrunePipeline.Contracts;
using PrunePipeline.Pruning;
using PrunePipeline.Workflow.Stages;

namespace PrunePipeline.Workflow.Tests;

/// <summary>The adaptive schedule's knobs chosen in <see cref="PruneMethodSettings"/> (prune, run, submit) are the ones
/// the pruning library runs with: the workflow's prune stage gives what the library gives with those knobs set
/// directly, and something else than with the defaults.</summary>
public class AdaptiveKnobsReachThePrunerTests
{
    [Theory]
    [InlineData(0.0, 1.03, 1.05, 100.0, 8)]
    [InlineData(0.95, 1.01, 1.05, 100.0, 8)]
    [InlineData(0.95, 1.03, 1.2, 100.0, 8)]
    [InlineData(0.95, 1.03, 1.05, 3.0, 8)]
    public void StageRunsWithTheChosenKnobs(double momentum, double adaptiveBeta, double fastBeta, double startDivisor, int compactEvery)
    {
        const int rows = 16, cols = 32;
        var (w0, h) = TestData.CorrelatedLayer(rows, cols, 128, seed: 9, spread: 7);
        var parameters = new PruneMethodSettings("prox", "none", Schedule: "adaptive", Momentum: momentum, AdaptiveBeta: adaptiveBeta,
            FastBeta: fastBeta, StartDivisor: startDivisor, CompactEvery: compactEvery);

        var stage = LayerPruneStage.Run("layer", w0, h, rows, cols, parameters);
        var direct = LayerPruner.Run(w0, h, rows, cols, new LayerPruneSettings(Refine: RefineMode.None, Schedule: ProxSchedule.Adaptive,
            Momentum: momentum, AdaptiveBeta: adaptiveBeta, FastBeta: fastBeta, StartDivisor: startDivisor, CompactEvery: compactEvery));
        var defaults = LayerPruner.Run(w0, h, rows, cols, new LayerPruneSettings(Refine: RefineMode.None, Schedule: ProxSchedule.Adaptive));

        Assert.Equal(direct.Iterations, stage.Iterations);
        Assert.Equal(direct.Weights, stage.Weights);
        Assert.True(defaults.Iterations != stage.Iterations || !defaults.Weights.SequenceEqual(stage.Weights),
            "the knobs changed nothing: they did not reach the pruner");
    }

    /// <summary>The refinement's stopping tolerance and the compaction period, which need not change a small layer's
    /// result, are mapped too (the refine stage uses the same mapping).</summary>
    [Fact]
    public void EveryKnobIsMapped()
    {
        var p = new PruneMethodSettings("prox", "cg", Schedule: "adaptive", Momentum: 0.3, AdaptiveBeta: 1.2, FastBeta: 1.4,
            StartDivisor: 7, CompactEvery: 3, CgTolerance: 0.02);
        var s = PruningSettings.Settings(p);
        Assert.Equal((0.3, 1.2, 1.4, 7.0, 3, 0.02), (s.Momentum, s.AdaptiveBeta, s.FastBeta, s.StartDivisor, s.CompactEvery, s.CgTolerance));
    }
}
