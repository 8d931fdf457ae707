using System.Diagnostics;
using System.Runtime.CompilerServices;
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
        var hidden = Embed(model, calibration);
        calibTime.Stop();
        ReleaseMemory();

        var layers = new List<LayerReport>();
        for (var k = 0; k < L; k++)
        {
            ct.ThrowIfCancellationRequested();
            ProcessBlock(model, k, hidden, seqLen, parameters, mode, sink, layers, calibTime, pruneTime, progress, ct);
            ReleaseMemory(); // block k and its Hessians, before block k+1 is read
        }
        return new WholeModelResult(layers, calibTime.Elapsed.TotalSeconds, pruneTime.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Block k: read, calibrate (H through the dense block), prune and refine its linears, hand it to the sink and, in
    /// sequential mode, run the pruned block to make block k+1's inputs. A method of its own so that everything of the
    /// block dies with its frame: as locals of <see cref="Run"/>'s loop, a JIT temporary kept block 0's Hessians
    /// (686 MB at 7B) reachable while block 1 was calibrated (measured).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ProcessBlock(LlamaModel model, int k, List<float[]> hidden, int seqLen, PruneMethodSettings parameters,
        PruneMode mode, IPrunedBlockSink sink, List<LayerReport> layers, Stopwatch calibTime, Stopwatch pruneTime,
        Action<PruneProgressEvent>? progress, CancellationToken ct)
    {
        var config = model.Config;
        var L = config.NumHiddenLayers;
        var block = model.LoadBlock(k);
        void Samples(int s, int n) => progress?.Invoke(new PruneProgressEvent("calibrate", k, L, null, s, n));
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
                (s, n) => progress?.Invoke(new PruneProgressEvent("forward", k, L, null, s, n)), ct);
            calibTime.Stop();
        }
    }

    /// <summary>
    /// The inputs of block 0. The embedding is read without caching it in the model (it is not needed again, and for a
    /// 32k vocabulary it is as large as a block), in a frame of its own: the span temporary over the array stays reported
    /// live until the method holding it returns, and in <see cref="Run"/>'s frame it kept 0.5 GB (7B) alive for the whole
    /// run (measured: the GC heap stayed 532 MB after the embedding's last use).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<float[]> Embed(LlamaModel model, IReadOnlyList<int[]> calibration) =>
        BlockCalibrator.Embed(model.ReadTensor(LlamaTensorNames.Embedding), model.Config, calibration);

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
    /// in <see cref="MaskPacking"/>. Each H is dropped from <paramref name="hessians"/> once its last reader is done.
    /// </summary>
    public static IReadOnlyDictionary<string, byte[]> PruneBlock(DecoderBlockWeights block, BlockHessians hessians, PruneMethodSettings parameters,
        List<LayerReport> reports, Action<PruneProgressEvent>? progress, CancellationToken ct)
    {
        var masks = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in DecoderBlockWeights.LinearNames)
        {
            ct.ThrowIfCancellationRequested();
            masks[name] = PruneLayer(block, name, hessians, parameters, reports, progress, ct);
            // An input's H is not needed once its last reader is done (at the 7B down_proj, attn/o/mlp's 200 MB).
            hessians.ReleaseAfter(name);
            // The layer's temporaries (W-sized results, the loss GEMM's buffers) are large-object garbage that the GC's
            // budget would otherwise let pile up across the seven layers of a block. Compacting, so the holes left
            // between the block's live arrays do not force fresh memory for the next layer.
            var (rows, cols) = DecoderBlockWeights.LinearShape(block.Config, name);
            if ((long)rows * cols >= 1 << 22) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        return masks;
    }

    /// <summary>Prunes and refines one linear in place and returns its packed mask. A frame of its own, so that its
    /// results and the H it read are unreachable when it returns (see <see cref="ProcessBlock"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] PruneLayer(DecoderBlockWeights block, string name, BlockHessians hessians, PruneMethodSettings parameters,
        List<LayerReport> reports, Action<PruneProgressEvent>? progress, CancellationToken ct)
    {
        var L = block.Config.NumHiddenLayers;
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
        var kept = pruned.Mask.Count(b => b != 0) / (double)pruned.Mask.Length;
        reports.Add(new LayerReport(block.Layer, name, layer.TensorName, layer.Rows, layer.Cols, pruned.Loss, refined.Loss,
            pruned.Iterations, pruned.FinalLambda, pruned.HitMaxIterations, pruned.DampingUsed,
            pruned.Time.TotalSeconds, refined.Time.TotalSeconds, kept));
        // Packed (1 bit per weight) while the block waits for the sink: a byte mask per layer would be a quarter
        // of the block's weights again.
        return MaskPacking.Pack(pruned.Mask, layer.Rows, layer.Cols);
    }
}
