using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Model;
using PrunePipeline.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Evaluation;

/// <summary>
/// Per-window NLLs of a model on disk computed block by block, as SparseGPT's evaluation does: the activations of
/// ALL windows are kept (B windows of equal length per batch), and each decoder block is loaded once, applied to
/// every batch and released before the next is loaded. Memory is one block's weights plus the activations, flat in
/// the number of layers, so a 7B model evaluates in about one block's memory. Legend: W windows, T tokens, d hidden.
/// </summary>
internal static class BlockwisePerplexity
{
    // A batch's activations and attention scratch stay below this many elements (batching pays on small models).
    private const long MaxBatchElements = 1L << 24;

    /// <summary>nll[i] = Σ_t −log p(seq_i[t+1] | seq_i[..t]) for every window i with ≥ 2 tokens (0 otherwise).</summary>
    public static double[] WindowNlls(LlamaModel model, IReadOnlyList<int[]> sequences, ComputeTarget target,
        IProgress<(int done, int total)>? progress, CancellationToken ct)
    {
        var config = model.Config;
        var batches = Batches(config, sequences);
        var total = (config.NumHiddenLayers + 1) * batches.Count;
        var done = 0;
        var nll = new double[sequences.Count];
        var hidden = new Tensor?[batches.Count];
        try
        {
            using var head = LlamaHead.Load(model, target);
            for (var b = 0; b < batches.Count; b++)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                hidden[b] = torch.cat(batches[b].Select(i => head.Embed(sequences[i])).ToArray(), 0).DetachFromDisposeScope();
            }
            var maxLength = Math.Max(1, sequences.Max(s => s.Length));
            using var rope = new RopeTables(config, maxLength, target);
            for (var layer = 0; layer < config.NumHiddenLayers; layer++)
            {
                ct.ThrowIfCancellationRequested();
                using var block = BlockTensors.Load(model, layer, target);
                for (var b = 0; b < batches.Count; b++)
                {
                    ct.ThrowIfCancellationRequested();
                    var next = DecoderBlock.Forward(block, config, hidden[b]!, rope).DetachFromDisposeScope();
                    hidden[b]!.Dispose();
                    hidden[b] = next;
                    progress?.Report((++done, total));
                }
            }
            for (var b = 0; b < batches.Count; b++)
            {
                ct.ThrowIfCancellationRequested();
                for (var j = 0; j < batches[b].Length; j++)
                {
                    var i = batches[b][j];
                    using var row = hidden[b]![j];
                    nll[i] = head.SequenceNll(row, sequences[i]);
                }
                hidden[b]!.Dispose();
                hidden[b] = null;
                progress?.Report((++done, total));
            }
        }
        finally
        {
            foreach (var h in hidden) h?.Dispose();
        }
        return nll;
    }

    /// <summary>Windows with ≥ 2 tokens grouped by length (in first-seen order), at most a memory-bounded count per batch.</summary>
    private static List<int[]> Batches(LlamaConfig c, IReadOnlyList<int[]> sequences)
    {
        var byLength = new Dictionary<int, List<int>>();
        var order = new List<int>();
        for (var i = 0; i < sequences.Count; i++)
        {
            var len = sequences[i].Length;
            if (len < 2) continue;
            if (!byLength.TryGetValue(len, out var list)) { byLength[len] = list = []; order.Add(len); }
            list.Add(i);
        }
        var batches = new List<int[]>();
        foreach (var len in order)
        {
            long T = len;
            var perWindow = c.NumAttentionHeads * T * T + T * (3L * c.HiddenSize + c.QueryDim + 2L * c.KeyValueDim + 2L * c.IntermediateSize);
            var size = (int)Math.Clamp(MaxBatchElements / perWindow, 1, 64);
            batches.AddRange(byLength[len].Chunk(size));
        }
        return batches;
    }
}
