using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using PrunePipeline.Artifacts;
using PrunePipeline.Contracts;
using PrunePipeline.Model;
using PrunePipeline.ServiceDefaults;
using PrunePipeline.ServiceDefaults.Trust;
using PrunePipeline.Tokenizers;
using PrunePipeline.Workflow.Calibration;
using PrunePipeline.Workflow.Stages;

namespace PrunePipeline.Calibrator;

/// <summary>
/// Calibrates one decoder block with the workflow's <see cref="BlockCalibrator"/> (the same calls, in the same order,
/// as <c>WholeModelPruner</c>, so the Hessians are bit-identical to <c>prunectl prune</c>): block 0 embeds the
/// sampled calibration tokens; sequential blocks k &gt; 0 first run block k−1's stored inputs through the PRUNED block
/// k−1; then H of every linear input of the dense block k is stored, content-addressed by the calibration key. When
/// every artifact already exists (redelivery, resume) nothing is recomputed.
/// </summary>
public sealed class CalibrateBlockConsumer(IArtifactStore store, ModelCache models, WorkerIdentity worker, RunGuard guard, ILogger<CalibrateBlockConsumer> logger)
    : IConsumer<CalibrateBlock>
{
    public Task Consume(ConsumeContext<CalibrateBlock> context) =>
        context.RunStage(context.Message.RunId, PipelineStages.Calibrate, logger, () => Calibrate(context));

    async Task Calibrate(ConsumeContext<CalibrateBlock> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        // Trust: only a pending command of a running run, for the run's own model and data under the roots.
        if (!await guard.AdmitAsync(m.RunId, $"CalibrateBlock {m.Block}", s => s.Calibrated.ContainsKey(m.Block), m.ModelLocation,
                [m.Calibration.Path], ct)) return;
        var sw = Stopwatch.StartNew();
        var model = models.Get(m.ModelLocation);
        var config = model.Config;
        var L = config.NumHiddenLayers;
        if (m.Block < 0 || m.Block >= L) throw new ArgumentException($"block {m.Block} is out of range 0..{L - 1} of {m.ModelLocation}.");
        var oneShot = m.Mode == PruneMode.OneShot;
        var inputs = InputNames();
        var hessianKeys = inputs.ToDictionary(i => i, i => ArtifactKeys.Hessian(m.CalibrationKey, m.Block, i));
        // Sequential: this block's inputs (the next block runs them through this block once pruned). One-shot: this
        // block's dense outputs (the next block's inputs).
        string? inputsKey = oneShot ? null : ArtifactKeys.BlockInputs(m.CalibrationKey, m.Block);
        string? outputsKey = oneShot && m.Block + 1 < L ? ArtifactKeys.BlockInputs(m.CalibrationKey, m.Block + 1) : null;
        var tokens = m.Calibration.Tokens;

        if (await AllExist([.. hessianKeys.Values, .. new[] { inputsKey, outputsKey }.OfType<string>()], ct))
        {
            await context.PublishReply(m.RunId, new BlockCalibrated(m.RunId, m.Block, m.CalibrationKey, hessianKeys, inputsKey, outputsKey,
                tokens, sw.Elapsed.TotalSeconds, Reused: true, worker.Id));
            return;
        }

        var seqLen = m.Calibration.SeqLen;
        List<float[]> hidden;
        if (m.Block == 0) hidden = Embed(m, model);
        else if (m.InputsKey is not null) hidden = await store.GetActivationsAsync(m.InputsKey, ct);
        else if (m.PreviousInputsKey is not null && m.PreviousWeightKeys.Count > 0)
        {
            // Sequential: block k's inputs are the PRUNED block k−1 applied to block k−1's inputs.
            hidden = await store.GetActivationsAsync(m.PreviousInputsKey, ct);
            var previous = models.LoadBlock(m.ModelLocation, m.Block - 1);
            foreach (var (tensor, key) in m.PreviousWeightKeys)
            {
                var (block, shortName) = LayerNames.Parse(tensor);
                if (block != m.Block - 1) throw new ArgumentException($"pruned weight '{tensor}' is not in block {m.Block - 1}.");
                var (rows, cols) = DecoderBlockWeights.LinearShape(config, shortName);
                previous.SetLinear(shortName, await store.GetFloatsAsync(key, [rows, cols], ct));
            }
            BlockCalibrator.Forward(previous, config, hidden, seqLen, null, ct);
        }
        else throw new ArgumentException($"CalibrateBlock for block {m.Block} names neither its inputs nor block {m.Block - 1}'s inputs and weights.");
        if (inputsKey is not null) await store.PutActivationsAsync(inputsKey, hidden, ct);

        var dense = models.LoadBlock(m.ModelLocation, m.Block);
        var hessians = oneShot
            ? BlockCalibrator.CaptureAndForward(dense, config, hidden, seqLen, null, ct)
            : BlockCalibrator.CaptureHessians(dense, config, hidden, seqLen, null, ct);
        foreach (var (input, key) in hessianKeys)
        {
            var h = hessians.ByInput[input];
            await store.PutFloatsAsync(key, h.Values, [h.N, h.N], ct);
        }
        if (outputsKey is not null) await store.PutActivationsAsync(outputsKey, hidden, ct);
        logger.LogInformation("run {Run}: block {Block} calibrated in {Seconds:F2} s", m.RunId, m.Block, sw.Elapsed.TotalSeconds);
        await context.PublishReply(m.RunId, new BlockCalibrated(m.RunId, m.Block, m.CalibrationKey, hessianKeys, inputsKey, outputsKey,
            tokens, sw.Elapsed.TotalSeconds, Reused: false, worker.Id));
    }

    List<float[]> Embed(CalibrateBlock m, LlamaModel model)
    {
        // Exactly PruneRun's sampling, so the token ids (and everything after) match prunectl prune.
        var c = m.Calibration;
        if (c.Sampler is not (Samplers.Packed or Samplers.RandomWindow))
            throw new ArgumentException($"sampler '{c.Sampler}' is unknown; use packed or random-window.");
        if (c.SeqLen < 1 || c.SeqLen > model.Config.MaxPositionEmbeddings)
            throw new ArgumentException($"calibration seqlen {c.SeqLen} must be in 1..{model.Config.MaxPositionEmbeddings} (the model's max_position_embeddings).");
        var tok = TokenizerFiles.Load(m.ModelLocation);
        var docs = CalibrationText.ReadDocuments(c.Path, c.TextColumn);
        var samples = c.Sampler == Samplers.Packed
            ? CalibrationSampler.Packed(docs, tok, c.NSamples, c.SeqLen, c.Seed)
            : CalibrationSampler.RandomWindow(docs, tok, c.NSamples, c.SeqLen, c.Seed);
        return BlockCalibrator.Embed(models.ReadTensor(m.ModelLocation, LlamaTensorNames.Embedding), model.Config, samples);
    }

    /// <summary>"attn_in", "o_in", "mlp_in", "down_in": the distinct inputs of the seven linears.</summary>
    public static IReadOnlyList<string> InputNames() => [.. DecoderBlockWeights.LinearNames.Select(DecoderBlockWeights.InputNameOf).Distinct()];

    async Task<bool> AllExist(IEnumerable<string> keys, CancellationToken ct)
    {
        foreach (var k in keys)
            if (!await store.ExistsAsync(k, ct)) return false;
        return true;
    }
}
