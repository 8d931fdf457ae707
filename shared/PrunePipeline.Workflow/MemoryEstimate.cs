using System.Globalization;
using PrunePipeline.Errors;
using PrunePipeline.Model;

namespace PrunePipeline.Workflow;

/// <summary>
/// Lower bounds of the memory a request needs, checked before anything large is allocated, so that an impossible
/// request (e.g. <c>--nsamples 2147483647</c>) is refused at once with the figure instead of dying with an
/// OutOfMemoryException (or an overflow) after minutes. All figures count fp32 (4 bytes) buffers; d = hidden size,
/// I = intermediate size, T = tokens per sequence, S = sequences.
/// </summary>
public static class MemoryEstimate
{
    private const double Gib = 1024.0 * 1024 * 1024;

    /// <summary>Whole-model pruning: S×T×d activations + S×T token ids + one block's weights twice (dense and pruned copy)
    /// + its Hessians (3·d² + I²) + one block forward's workspace + the embedding.</summary>
    public static double PruneBytes(LlamaConfig c, long nsamples, long seqLen)
    {
        double d = c.HiddenSize, i = c.IntermediateSize;
        var activations = (double)nsamples * seqLen * d;
        var tokens = (double)nsamples * seqLen;
        var blockWeights = 2.0 * (c.ParameterCount - (double)c.VocabSize * d * (c.TieWordEmbeddings ? 1 : 2) - d) / c.NumHiddenLayers;
        var hessians = 3 * d * d + i * i;
        return 4 * (activations + tokens + blockWeights + hessians + Workspace(c, seqLen) + (double)c.VocabSize * d);
    }

    /// <summary>One forward pass over T tokens (evaluation): hidden states, one block's workspace, a T×T score matrix, the weights of one block and the embedding.</summary>
    public static double ForwardBytes(LlamaConfig c, long seqLen) =>
        4 * (2.0 * seqLen * c.HiddenSize + Workspace(c, seqLen) + (double)c.VocabSize * c.HiddenSize + c.ParameterCount / (double)c.NumHiddenLayers);

    /// <summary>Refuses when <paramref name="bytes"/> exceeds what this process may use (the GC's limit: physical memory or the container's).</summary>
    /// <param name="what">What drives the figure, with the options to change, e.g. "--nsamples 128 × --seqlen 2048".</param>
    public static void Require(double bytes, string what)
    {
        var available = (double)GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available)
            throw new ResourceLimitException(string.Create(CultureInfo.InvariantCulture,
                $"{what} needs at least {bytes / Gib:F1} GiB of memory, but this process can use {available / Gib:F1} GiB; lower them."));
    }

    private static double Workspace(LlamaConfig c, long t) =>
        (double)t * (2.0 * c.HiddenSize + 3.0 * c.QueryDim + 3.0 * c.KeyValueDim + c.HeadDim + 3.0 * c.IntermediateSize) + (double)t * t;
}
