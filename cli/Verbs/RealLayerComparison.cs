using System.Globalization;
using PrunePipeline.Contracts;
using PrunePipeline.Model;
using PrunePipeline.Pruning;
using PrunePipeline.Tokenizers;
using PrunePipeline.Workflow.Calibration;
using PrunePipeline.Workflow.Stages;
using static TorchSharp.torch;

namespace PrunePipeline.Cli.Verbs;

/// <summary>
/// bench-prune --compare --model DIR --calib FILE (issue #12): the schedule comparison of <see cref="ScheduleComparison"/>
/// on every linear of a real model. Hessians are the one-shot ones (each block's inputs from the dense model), so every
/// method prunes the same (W₀, H) and the local losses compare layer by layer; the pipeline's sequential mode would give
/// each method different Hessians. Prints one row per linear and the sums.
/// </summary>
internal static class RealLayerComparison
{
    public static void Run(string modelDir, CalibrationSettings calib, int maxIters, int refineSteps, LayerPruneSettings adaptive,
        Device device, CancellationToken ct)
    {
        using var model = LlamaModel.Open(modelDir);
        var config = model.Config;
        var tok = TokenizerFiles.Load(modelDir);
        var docs = CalibrationText.ReadDocuments(calib.Path, calib.TextColumn);
        var samples = calib.Sampler == "packed"
            ? CalibrationSampler.Packed(docs, tok, calib.NSamples, calib.SeqLen, calib.Seed)
            : CalibrationSampler.RandomWindow(docs, tok, calib.NSamples, calib.SeqLen, calib.Seed);
        Console.WriteLine($"model {modelDir}; calibration {calib.Path} {calib.Sampler} {calib.NSamples}×{calib.SeqLen} seed {calib.Seed} (one-shot Hessians)");
        Console.WriteLine(ScheduleComparison.Header);
        Console.WriteLine(ScheduleComparison.Separator);
        var hidden = BlockCalibrator.Embed(model.ReadTensor(LlamaTensorNames.Embedding), config, samples);
        double paperGemms = 0, mineGemms = 0, paperLoss = 0, mineLoss = 0, sgptLoss = 0, paperSeconds = 0, mineSeconds = 0;
        var worseThanSparseGpt = new List<string>();
        for (var k = 0; k < config.NumHiddenLayers; k++)
        {
            var block = model.LoadBlock(k);
            var hessians = BlockCalibrator.CaptureAndForward(block, config, hidden, calib.SeqLen, ct: ct);
            foreach (var name in DecoderBlockWeights.LinearNames)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var layer = block.GetLinearWeight(name);
                var h = hessians.ForLinear(name);
                var w = tensor(layer.Weights, [layer.Rows, layer.Cols], device: device);
                var hh = tensor(h.Values, [layer.Cols, layer.Cols], device: device);
                var paper = LayerPruner.Run(w, hh, new LayerPruneSettings(PruneMethod.Prox, Schedule: ProxSchedule.Paper,
                    MaxIters: maxIters, RefineSteps: refineSteps), ct: ct);
                var mine = LayerPruner.Run(w, hh, adaptive, ct: ct);
                var sgpt = LayerPruner.Run(w, hh, new LayerPruneSettings(PruneMethod.SparseGpt, Refine: RefineMode.Cg), ct: ct);
                var label = $"{k}.{name} {layer.Rows}×{layer.Cols}";
                Console.WriteLine(ScheduleComparison.Row(label, paper, mine, sgpt));
                // Summed as work: a layer's GEMM-equivalents weighted by its GEMM's size (m·n²).
                var gemm = (double)layer.Rows * layer.Cols * layer.Cols;
                paperGemms += ScheduleComparison.Gemms(paper) * gemm;
                mineGemms += ScheduleComparison.Gemms(mine) * gemm;
                paperLoss += paper.LossAfterRefine;
                mineLoss += mine.LossAfterRefine;
                sgptLoss += sgpt.LossAfterRefine;
                paperSeconds += ScheduleComparison.Seconds(paper);
                mineSeconds += ScheduleComparison.Seconds(mine);
                if (mine.LossAfterRefine > sgpt.LossAfterRefine) worseThanSparseGpt.Add($"{label} ({mine.LossAfterRefine:G5} vs {sgpt.LossAfterRefine:G5})");
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sum: paper {2e-9 * paperGemms:F1} GFLOP (GEMM-equivalents × 2mn²), {paperSeconds:F1} s, loss {paperLoss:G6}; adaptive {2e-9 * mineGemms:F2} GFLOP ({100 * mineGemms / paperGemms:F1}%), " +
            $"{mineSeconds:F1} s, loss {mineLoss:G6} ({100 * (mineLoss / paperLoss - 1):+0.00;-0.00}% vs paper); SparseGPT+CG loss {sgptLoss:G6}"));
        Console.WriteLine(worseThanSparseGpt.Count == 0
            ? "adaptive is never worse than SparseGPT+CG on a layer"
            : $"adaptive worse than SparseGPT+CG on {worseThanSparseGpt.Count} layers: {string.Join("; ", worseThanSparseGpt)}");
    }
}
