using PrunePipeline.Contracts;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Model;
using PrunePipeline.Pruning;
using PrunePipeline.Tensors;
using PrunePipeline.Tokenizers;
using PrunePipeline.Workflow;
using PrunePipeline.Workflow.Output;
using PrunePipeline.Workflow.Reports;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Training;

/// <summary>
/// Whole-model training runs as files in, directory out: ProxSparse (dense model → 2:4 model whose kept weights are
/// the original ones) and global masked finetuning (pruned model + dense teacher → finetuned model, same masks).
/// Like <see cref="PruneRun"/>: every input is read and checked before anything is written, the output is written
/// to OUTDIR.tmp and renamed, and a failure removes OUTDIR.tmp. Inputs are never modified. Next to report.json go
/// training.parquet (the curve) and perplexity.parquet (<see cref="TrainingMetricsParquet"/>).
/// </summary>
public static class TrainingRun
{
    /// <summary>ProxSparse on <see cref="TrainingRequest.ModelDir"/>; report.json carries a "training" section.</summary>
    public static TrainingReport ProxSparse(TrainingRequest request, ProxSparseOptions options, Action<TrainingStep>? progress = null,
        CancellationToken ct = default)
    {
        options.Validate();
        var outDir = Prepare(request);
        using var model = LlamaModel.Open(request.ModelDir);
        var (tok, docs, excluded, batches, evalSets, target) = Inputs(request, model.Config, options.Steps);
        var before = request.EvaluateDense ? ModelEvaluation.Run(model, evalSets, null, ct, target) : [];

        var clock = Stopwatch.StartNew();
        float[][][] learned;
        IReadOnlyList<TrainingStep> curve;
        using (var trainable = TrainableLlama.Load(model, request.Data.SeqLen, target))
        {
            trainable.Checkpointing = request.Checkpointing;
            curve = ProxSparseTrainer.Train(trainable, batches, options, progress, ct);
            learned = [.. Enumerable.Range(0, model.Config.NumHiddenLayers).Select(trainable.ExportLinears)];
        }
        var trainSeconds = clock.Elapsed.TotalSeconds;
        var peak = Environment.WorkingSet;

        return Write(request, outDir, model, k =>
        {
            // The mask is the top-2 |learned W| per group; the weights kept are the ORIGINAL ones (algorithm.md §7).
            var block = model.LoadBlock(k);
            var masks = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            for (var i = 0; i < DecoderBlockWeights.LinearNames.Count; i++)
            {
                var name = DecoderBlockWeights.LinearNames[i];
                var (rows, cols) = DecoderBlockWeights.LinearShape(model.Config, name);
                var mask = TopTwoMask(learned[k][i], rows, cols);
                var w = block.GetLinear(name).ToArray();
                for (var j = 0; j < w.Length; j++) if (mask[j] == 0) w[j] = 0;
                block.SetLinear(name, w);
                masks[name] = MaskPacking.Pack(mask, rows, cols);
            }
            return (block, masks);
        }, evalSets, target, ct, after => new TrainingReport("proxsparse", options, request.Data, docs.Count, excluded, batches.Count * request.Data.BatchSize,
            target.ToString(), request.Checkpointing, curve, Reports(request, evalSets, before, after), trainSeconds, trainSeconds / options.Steps,
            Math.Max(peak, Environment.WorkingSet)), report => BaseReport(request, model, report));
    }

    /// <summary>
    /// Global masked finetuning of the pruned model in <see cref="TrainingRequest.ModelDir"/> (its masks.safetensors
    /// fixes the mask) against the dense model <see cref="TrainingRequest.DenseModelDir"/>. The input's report.json,
    /// if any, is kept with a "finetune" section added.
    /// </summary>
    /// <param name="checkpoints">Resumable training (the pipeline's finetuner): periodic state, and where to continue.</param>
    public static TrainingReport Finetune(TrainingRequest request, FinetuneOptions options, Action<TrainingStep>? progress = null,
        CancellationToken ct = default, FinetuneCheckpoints? checkpoints = null)
    {
        options.Validate();
        if (request.DenseModelDir is null) throw new ArgumentException("finetuning needs the dense model directory (the teacher).");
        var outDir = Prepare(request);
        if (Path.GetFullPath(request.ModelDir) == outDir) throw new ArgumentException($"the finetuned model cannot replace its input {outDir}; choose another output.");
        using var pruned = LlamaModel.Open(request.ModelDir);
        using var dense = LlamaModel.Open(request.DenseModelDir);
        if (pruned.Config.NumHiddenLayers != dense.Config.NumHiddenLayers || pruned.Config.HiddenSize != dense.Config.HiddenSize
            || pruned.Config.VocabSize != dense.Config.VocabSize)
            throw new ArgumentException($"{request.ModelDir} and {request.DenseModelDir} are not the same architecture.");
        var maskPath = Path.Combine(request.ModelDir, PrunedModelWriter.MaskFileName);
        var packed = MaskFileReader.ReadAll(maskPath);
        var (tok, docs, excluded, batches, evalSets, target) = Inputs(request, pruned.Config, options.Steps);
        var before = ModelEvaluation.Run(pruned, evalSets, null, ct, target);

        var config = pruned.Config;
        var packedByLinear = new List<byte[]>();
        for (var k = 0; k < config.NumHiddenLayers; k++)
            foreach (var name in DecoderBlockWeights.LinearNames)
            {
                var tensor = LlamaTensorNames.Layer(k, name);
                if (!packed.TryGetValue(tensor, out var m)) throw new InvalidDataException($"{maskPath} has no mask for {tensor}.");
                var (rows, cols) = DecoderBlockWeights.LinearShape(config, name);
                if (m.Rows != rows || m.BytesPerRow != MaskPacking.BytesPerRow(cols))
                    throw new InvalidDataException($"{maskPath}: mask {tensor} is [{m.Rows}, {m.BytesPerRow}], expected [{rows}, {MaskPacking.BytesPerRow(cols)}].");
                packedByLinear.Add(m.Packed);
            }

        var clock = Stopwatch.StartNew();
        float[][][] trained;
        IReadOnlyList<TrainingStep> curve;
        using (var student = TrainableLlama.Load(pruned, request.Data.SeqLen, target))
        using (var teacher = options.UsesTeacher ? TrainableLlama.Load(dense, request.Data.SeqLen, target) : null)
        {
            student.Checkpointing = request.Checkpointing;
            var ps = student.Parameters;
            var masks = new Tensor[ps.Count];
            for (var i = 0; i < ps.Count; i++)
            {
                var (rows, cols) = ((int)ps[i].shape[0], (int)ps[i].shape[1]);
                var mask = new byte[rows * cols];
                MaskPacking.Unpack(packedByLinear[i], mask, rows, cols);
                masks[i] = torch.tensor(mask).reshape(rows, cols).to(ps[i].dtype, ps[i].device).DetachFromDisposeScope();
            }
            try
            {
                curve = MaskedFinetuner.Train(student, teacher, masks, batches, options, progress, ct, checkpoints);
            }
            finally
            {
                foreach (var m in masks) m.Dispose();
            }
            trained = [.. Enumerable.Range(0, config.NumHiddenLayers).Select(student.ExportLinears)];
        }
        var trainSeconds = clock.Elapsed.TotalSeconds;
        var peak = Environment.WorkingSet;

        return Write(request, outDir, pruned, k =>
        {
            var block = pruned.LoadBlock(k);
            var masks = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            for (var i = 0; i < DecoderBlockWeights.LinearNames.Count; i++)
            {
                var name = DecoderBlockWeights.LinearNames[i];
                block.SetLinear(name, trained[k][i]);
                masks[name] = packedByLinear[k * DecoderBlockWeights.LinearNames.Count + i];
            }
            return (block, masks);
        }, evalSets, target, ct, after => new TrainingReport("finetune", options, request.Data, docs.Count, excluded, batches.Count * request.Data.BatchSize,
            target.ToString(), request.Checkpointing, curve, Reports(request, evalSets, before, after), trainSeconds, trainSeconds / options.Steps,
            Math.Max(peak, Environment.WorkingSet)), report => ExtendedReport(request.ModelDir, report));
    }

    /// <summary>
    /// Evaluates the model in <paramref name="dir"/> (story ranges applied) and makes those numbers its report.json's
    /// "evaluation" (the earlier one, if any, is kept as "evaluation_unrestricted"); report.json is replaced atomically.
    /// </summary>
    public static IReadOnlyList<DatasetReport> Evaluate(string dir, IReadOnlyList<EvalDatasetSpec> eval, StoryRange? stories, int? evalSeqLen,
        ComputeTarget? target, CancellationToken ct = default)
    {
        using var model = LlamaModel.Open(dir);
        var tok = TokenizerFiles.Load(dir);
        var sets = TrainingEvaluation.Load(eval, tok, evalSeqLen ?? PruneRun.DefaultSeqLen(model.Config), stories);
        var results = ModelEvaluation.Run(model, sets, null, ct, target ?? ComputeTarget.Cpu);
        var rows = results.Select(a => new DatasetReport(a.Dataset, eval.First(e => e.Name == a.Dataset).Path, a.SeqLen, a.Convention, a.Sequences,
            a.Tokens, null, a.Perplexity)).ToList();
        var path = Path.Combine(dir, "report.json");
        var json = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? [] : [];
        if (json["evaluation"] is { } e) json["evaluation_unrestricted"] = e.DeepClone();
        json["evaluation"] = Node(rows);
        File.WriteAllText(path + ".tmp", json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(path + ".tmp", path, overwrite: true);
        return rows;
    }

    /// <summary>Top-2 |w| per group of four (ties: lower column) as a 0/1 byte mask.</summary>
    internal static byte[] TopTwoMask(float[] w, int rows, int cols)
    {
        var score = new float[w.Length];
        for (var j = 0; j < w.Length; j++) score[j] = Math.Abs(w[j]);
        var mask = new byte[w.Length];
        PruneMasks.KeepTopNPerGroup(score, mask, rows, cols, 2, 4);
        return mask;
    }

    private static string Prepare(TrainingRequest request)
    {
        if (request.Data.SeqLen < 2) throw new ArgumentException($"training seqlen must be ≥ 2, got {request.Data.SeqLen}.");
        var outDir = Path.GetFullPath(request.OutDir);
        OutputGuard.CheckDirectory(outDir, request.Force, InputsOf(request));
        return outDir;
    }

    /// <summary>Every path a training run reads: the output may neither be nor contain any of them (<see cref="OutputGuard"/>).</summary>
    private static IReadOnlyList<string> InputsOf(TrainingRequest request) =>
        [request.ModelDir, .. request.DenseModelDir is null ? Array.Empty<string>() : [request.DenseModelDir], request.Data.Path,
         .. request.Data.ExcludeDocs is null ? Array.Empty<string>() : [request.Data.ExcludeDocs], .. request.Eval.Select(e => e.Path)];

    private static (ITokenizer, List<string>, int, List<long[,]>, List<EvalSequences>, ComputeTarget) Inputs(TrainingRequest request, LlamaConfig config,
        int steps)
    {
        if (request.Data.SeqLen > config.MaxPositionEmbeddings)
            throw new ArgumentException($"training seqlen {request.Data.SeqLen} exceeds the model's max_position_embeddings {config.MaxPositionEmbeddings}.");
        var tok = TokenizerFiles.Load(request.ModelDir);
        var (docs, excluded) = TrainingText.Read(request.Data.Path, request.Data.Stories, request.Data.ExcludeDocs);
        var batches = TrainingText.Batches(docs, tok, steps, request.Data.BatchSize, request.Data.SeqLen, request.Data.Seed);
        var evalSeqLen = request.EvalSeqLen ?? PruneRun.DefaultSeqLen(config);
        var evalSets = TrainingEvaluation.Load(request.Eval, tok, evalSeqLen, request.EvalStories);
        return (tok, docs, excluded, batches, evalSets, request.Target ?? ComputeTarget.Cpu);
    }

    private static List<DatasetReport> Reports(TrainingRequest request, List<EvalSequences> sets, IReadOnlyList<DatasetPerplexity> before,
        IReadOnlyList<DatasetPerplexity> after) =>
        [.. after.Select(a => new DatasetReport(a.Dataset, request.Eval.First(e => e.Name == a.Dataset).Path, a.SeqLen, a.Convention,
            a.Sequences, a.Tokens, before.FirstOrDefault(b => b.Dataset == a.Dataset)?.Perplexity, a.Perplexity))];

    /// <summary>Writes blocks + masks into a fresh temporary sibling of OUTDIR, evaluates the written model, writes
    /// report.json, and publishes it through <see cref="OutputGuard"/> (never over an input or a folder that is not ours).</summary>
    private static TrainingReport Write(TrainingRequest request, string outDir, LlamaModel source, Func<int, (DecoderBlockWeights, IReadOnlyDictionary<string, byte[]>)> block,
        List<EvalSequences> evalSets, ComputeTarget target, CancellationToken ct, Func<IReadOnlyList<DatasetPerplexity>, TrainingReport> makeReport,
        Func<TrainingReport, JsonObject> reportJson)
    {
        return OutputGuard.WriteDirectory(outDir, request.Force, InputsOf(request), tmp =>
        {
            using (var writer = new PrunedModelWriter(source, tmp))
            {
                for (var k = 0; k < source.Config.NumHiddenLayers; k++)
                {
                    ct.ThrowIfCancellationRequested();
                    var (b, masks) = block(k);
                    writer.WriteBlock(b, masks);
                }
                writer.Complete();
            }
            var sparsity = Path.Combine(source.Directory, "sparsity.json");
            if (File.Exists(sparsity)) File.Copy(sparsity, Path.Combine(tmp, "sparsity.json"));
            IReadOnlyList<DatasetPerplexity> after;
            using (var written = LlamaModel.Open(tmp))
                after = ModelEvaluation.Run(written, evalSets, null, ct, target);
            var report = makeReport(after);
            File.WriteAllText(Path.Combine(tmp, "report.json"), reportJson(report).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            TrainingMetricsParquet.Write(tmp, Path.GetFileName(Path.TrimEndingDirectorySeparator(outDir)), report);
            return report;
        });
    }

    private static JsonNode Node(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), WorkflowJson.Options)!;

    private static JsonObject BaseReport(TrainingRequest request, LlamaModel model, TrainingReport report) => new()
    {
        ["format"] = "prunepipeline.report/1",
        ["source_model"] = Path.GetFullPath(request.ModelDir),
        ["method"] = "proxsparse",
        ["pattern"] = "2:4",
        ["evaluation"] = Node(report.Evaluation),
        ["training"] = Node(report),
    };

    /// <summary>The input model's report.json (if any) with a "finetune" section; "evaluation" becomes the finetuned model's.</summary>
    private static JsonObject ExtendedReport(string inputDir, TrainingReport report)
    {
        var path = Path.Combine(inputDir, "report.json");
        var json = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? [] : [];
        if (json["evaluation"] is { } e) json["evaluation_before_finetune"] = e.DeepClone();
        json["evaluation"] = Node(report.Evaluation);
        json["finetune"] = Node(report);
        return json;
    }
}
