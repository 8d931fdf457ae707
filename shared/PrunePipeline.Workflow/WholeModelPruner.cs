using System.Diagnostics;
using PrunePipeline.Model;
using PrunePipeline.Workflow.Hessians;
using PrunePipeline.Workflow.Output;
using PrunePipeline.Workflow.Reports;
using PrunePipeline.Workflow.Stages;

namespace PrunePipeline.Workflow;

/// <summary>
/// Prunes every linear of a model to 2:4, block by block (algorithm.md §8), calling the stages
/// <see cref="BlockCalibrator"/> → <see cref="LayerPruneStage"/> → <see cref="LayerRefineStage"/>.
/// <para>Sequential: H of block k through the dense block k on the outputs of pruned blocks &lt; k; then the pruned
/// block k produces block k+1's inputs. One-shot: H of block k and block k+1's inputs both from the dense block.</para>
/// <para>Resident at any time: one block's weights (plus one layer's pruned copy), the S×T×d activations, and that
/// block's Hessians. Blocks are handed to the sink and dropped.</para>
/// </summary>
public static class WholeModelPruner
{
    public static WholeModelResult Run(LlamaModel model, IReadOnlyList<int[]> calibration, PruneMethodSettings parameters, PruneMode mode,
        IPrunedBlockSink sink, Action<PruneProgressEvent>? progress = null, CancellationToken ct = default)
    {
        parameters.Validate();
        if (calibration.Count == 0) throw new ArgumentException("no calibration samples.");
        var seqLen = calibration[0].Length;
        if (seqLen == 0 || calibration.Any(s => s.Length != seqLen))
            throw new ArgumentException("calibration samples must all have the same, non-zero length.");
        var config = model.Config;
        var L = config.NumHiddenLayers;
        var calibTime = new Stopwatch();
        var pruneTime = new Stopwatch();

        progress?.Invoke(new PruneProgressEvent("embed", -1, L, null, 0, calibration.Count));
        calibTime.Start();
        // Read the embedding without caching it in the model: it is not needed again, and for a 32k vocabulary it
        // would be as large as a block.
        var hidden = BlockCalibrator.Embed(model.ReadTensor(LlamaTensorNames.Embedding), config, calibration);
        calibTime.Stop();
        ReleaseMemory();

        var layers = new List<LayerReport>();
        for (var k = 0; k < L; k++)
        {
            ct.ThrowIfCancellationRequested();
            var block = model.LoadBlock(k);
            var kk = k;
            void Samples(int s, int n) => progress?.Invoke(new PruneProgressEvent("calibrate", kk, L, null, s, n));
            calibTime.Start();
            var hessians = mode == PruneMode.OneShot
                ? BlockCalibrator.CaptureAndForward(block, config, hidden, seqLen, Samples, ct)
                : BlockCalibrator.CaptureHessians(block, config, hidden, seqLen, Samples, ct);
            calibTime.Stop();

            ReleaseMemory(); // the fp64 sums of the accumulator
            pruneTime.Start();
            var masks = PruneBlock(block, hessians, parameters, layers, progress, ct);
            pruneTime.Stop();
            progress?.Invoke(new PruneProgressEvent("write", k, L, null, 0, 0));
            sink.WriteBlock(block, masks);

            if (mode == PruneMode.Sequential && k + 1 < L)
            {
                calibTime.Start();
                BlockCalibrator.Forward(block, config, hidden, seqLen,
                    (s, n) => progress?.Invoke(new PruneProgressEvent("forward", kk, L, null, s, n)), ct);
                calibTime.Stop();
            }
            block = null!;
            hessians = null!;
            ReleaseMemory(); // block k and its Hessians, before block k+1 is read
        }
        return new WholeModelResult(layers, calibTime.Elapsed.TotalSeconds, pruneTime.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// A blocking, compacting full collection. Called at block boundaries only (a few per block, negligible next to
    /// the block's work): the large arrays of a block are otherwise still uncollected garbage when the next block's
    /// arrays are allocated, and the peak memory would double.
    /// </summary>
    private static void ReleaseMemory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>
    /// Prunes and refines the seven linears of one block in place; returns their masks by short name, bit-packed as
    /// in <see cref="MaskPacking"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, byte[]> PruneBlock(DecoderBlockWeights block, BlockHessians hessians, PruneMethodSettings parameters,
        List<LayerReport> reports, Action<PruneProgressEvent>? progress, CancellationToken ct)
    {
        var L = block.Config.NumHiddenLayers;
        var masks = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in DecoderBlockWeights.LinearNames)
        {
            ct.ThrowIfCancellationRequested();
            var layer = block.GetLinearWeight(name);
            var h = hessians.ForLinear(name);
            progress?.Invoke(new PruneProgressEvent("prune", block.Layer, L, name, 0, parameters.Method == "prox" ? parameters.MaxIters : 0));
            var pruned = LayerPruneStage.Run(layer.TensorName, layer.Weights, h.Values, layer.Rows, layer.Cols, parameters,
                p => progress?.Invoke(new PruneProgressEvent(p.Phase, block.Layer, L, name, p.Iteration, p.MaxIterations,
                    p.Lambda is { } l ? $"λ={l:G3}" : null)), ct);
            if (parameters.Refine != "none")
                progress?.Invoke(new PruneProgressEvent("refine", block.Layer, L, name, 0, parameters.Refine == "gd" ? parameters.RefineSteps : 0));
            var refined = LayerRefineStage.Run(pruned, layer.Weights, h.Values, parameters,
                p => progress?.Invoke(new PruneProgressEvent("refine", block.Layer, L, name, p.Iteration, p.MaxIterations)), ct);
            // In place: the block's array is reused, so pruning a block allocates one layer's worth, not a block's.
            refined.Weights.CopyTo(layer.Weights, 0);
            // Packed (1 bit per weight) while the block waits for the sink: a byte mask per layer would be a quarter
            // of the block's weights again.
            masks[name] = MaskPacking.Pack(pruned.Mask, layer.Rows, layer.Cols);
            var kept = pruned.Mask.Count(b => b != 0) / (double)pruned.Mask.Length;
            reports.Add(new LayerReport(block.Layer, name, layer.TensorName, layer.Rows, layer.Cols, pruned.Loss, refined.Loss,
                pruned.Iterations, pruned.FinalLambda, pruned.HitMaxIterations, pruned.DampingUsed,
                pruned.Time.TotalSeconds, refined.Time.TotalSeconds, kept));
            pruned = null!;
            refined = null!;
            // The layer's temporaries (copies of W, scores, the loss GEMM's buffers) are large-object garbage that
            // the GC's budget would otherwise let pile up across the seven layers of a block.
            // Compacting, so the holes left between the block's live arrays do not force fresh memory for the next layer.
            if ((long)layer.Rows * layer.Cols >= 1 << 22) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        return masks;
    }
}
