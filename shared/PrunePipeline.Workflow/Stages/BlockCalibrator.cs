using PrunePipeline.Model;
using PrunePipeline.Workflow.Hessians;

namespace PrunePipeline.Workflow.Stages;

/// <summary>
/// The calibration stage of one decoder block. Activations are one T×d array per calibration sample
/// (S samples × T tokens × d hidden). Three explicit operations, so that sequential mode can capture H through the
/// DENSE block and then produce the next block's inputs with the PRUNED block:
/// <list type="bullet">
/// <item><see cref="CaptureHessians"/>: H of every linear input from the block on <c>inputs</c> (inputs unchanged);</item>
/// <item><see cref="Forward"/>: inputs ← block(inputs), in place (the next block's inputs);</item>
/// <item><see cref="CaptureAndForward"/>: both in one pass with the same weights (one-shot mode: dense everywhere).</item>
/// </list>
/// </summary>
public static class BlockCalibrator
{
    /// <summary>H per input of <paramref name="block"/> over all samples; <paramref name="inputs"/> are not modified.</summary>
    public static BlockHessians CaptureHessians(DecoderBlockWeights block, LlamaConfig config, IReadOnlyList<float[]> inputs, int seqLen,
        Action<int, int>? progress = null, CancellationToken ct = default)
    {
        var acc = new HessianAccumulator();
        var ws = new BlockWorkspace(config, seqLen);
        var scratch = new float[(long)seqLen * config.HiddenSize];
        for (var s = 0; s < inputs.Count; s++)
        {
            ct.ThrowIfCancellationRequested();
            Check(inputs[s], seqLen, config, s);
            inputs[s].CopyTo(scratch, 0);
            DecoderBlock.Forward(block, config, scratch, seqLen, ws, acc);
            progress?.Invoke(s + 1, inputs.Count);
        }
        return acc.Finish();
    }

    /// <summary>hidden[s] ← block(hidden[s]) for every sample, in place.</summary>
    public static void Forward(DecoderBlockWeights block, LlamaConfig config, IReadOnlyList<float[]> hidden, int seqLen,
        Action<int, int>? progress = null, CancellationToken ct = default)
    {
        var ws = new BlockWorkspace(config, seqLen);
        for (var s = 0; s < hidden.Count; s++)
        {
            ct.ThrowIfCancellationRequested();
            Check(hidden[s], seqLen, config, s);
            DecoderBlock.Forward(block, config, hidden[s], seqLen, ws);
            progress?.Invoke(s + 1, hidden.Count);
        }
    }

    /// <summary>H per input AND hidden[s] ← block(hidden[s]), in one pass with the same (dense) weights.</summary>
    public static BlockHessians CaptureAndForward(DecoderBlockWeights block, LlamaConfig config, IReadOnlyList<float[]> hidden, int seqLen,
        Action<int, int>? progress = null, CancellationToken ct = default)
    {
        var acc = new HessianAccumulator();
        var ws = new BlockWorkspace(config, seqLen);
        for (var s = 0; s < hidden.Count; s++)
        {
            ct.ThrowIfCancellationRequested();
            Check(hidden[s], seqLen, config, s);
            DecoderBlock.Forward(block, config, hidden[s], seqLen, ws, acc);
            progress?.Invoke(s + 1, hidden.Count);
        }
        return acc.Finish();
    }

    /// <summary>Embeds calibration token sequences: one T×d array per sample (the inputs of block 0).</summary>
    public static List<float[]> Embed(ReadOnlySpan<float> embedding, LlamaConfig config, IReadOnlyList<int[]> samples)
    {
        var result = new List<float[]>(samples.Count);
        foreach (var tokens in samples)
        {
            var h = new float[(long)tokens.Length * config.HiddenSize];
            LlamaModel.Embed(embedding, config, tokens, h);
            result.Add(h);
        }
        return result;
    }

    private static void Check(float[] x, int seqLen, LlamaConfig config, int sample)
    {
        if (x.LongLength != (long)seqLen * config.HiddenSize)
            throw new ArgumentException($"calibration sample {sample} has {x.Length} activations, expected {seqLen}×{config.HiddenSize}.");
    }
}
