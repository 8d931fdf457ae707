using PrunePipeline.Model;
using PrunePipeline.Model.Safetensors;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Workflow.Output;

/// <summary>
/// Streams a pruned model into an HF directory, block by block: <c>model.safetensors</c> (every tensor of the source
/// in canonical order, the pruned linears with exact zeros, in the source's dtype), <c>masks.safetensors</c> (see
/// <see cref="MaskPacking"/>), and at <see cref="Complete"/> the source's <c>config.json</c> copied byte for byte (nothing
/// sparsity-related is added to it) plus its tokenizer and other non-weight files. Only one tensor is held at a time.
/// The caller writes sparsity.json / report.json and moves the directory into place.
/// </summary>
public sealed class PrunedModelWriter : IPrunedBlockSink, IDisposable
{
    /// <summary>Files of the source directory that are not copied (weights, and our own outputs of an earlier run).</summary>
    private static readonly string[] NotCopied =
        ["model.safetensors", "model.safetensors.index.json", "masks.safetensors", "sparsity.json", "report.json", "pytorch_model.bin",
         RunMetricsParquet.LayersFile, RunMetricsParquet.PerplexityFile, RunMetricsParquet.TrainingFile, OutputGuard.MarkerFileName];

    private readonly LlamaModel _source;
    private readonly string _directory;
    private readonly SafetensorsWriter _weights;
    private readonly MaskFileWriter _masks;
    private int _nextBlock;

    /// <param name="source">The dense model (tensors that are not pruned are copied from it).</param>
    /// <param name="directory">An existing, empty directory.</param>
    public PrunedModelWriter(LlamaModel source, string directory)
    {
        _source = source;
        _directory = directory;
        var config = source.Config;
        var dtype = source.TensorInfo(LlamaTensorNames.Layer(0, DecoderBlockWeights.QProj)).DType;
        _weights = new SafetensorsWriter(Path.Combine(directory, SafetensorsCheckpoint.SingleFileName), LlamaTensorNames.Expected(config), dtype);
        var maskTensors = new List<(string, int, int)>();
        for (var k = 0; k < config.NumHiddenLayers; k++)
            foreach (var name in DecoderBlockWeights.LinearNames)
            {
                var (rows, cols) = DecoderBlockWeights.LinearShape(config, name);
                maskTensors.Add((LlamaTensorNames.Layer(k, name), rows, cols));
            }
        _masks = new MaskFileWriter(Path.Combine(directory, MaskFileName), maskTensors);
        CopyTensor(LlamaTensorNames.Embedding);
    }

    public const string MaskFileName = "masks.safetensors";

    /// <summary>HF names of the pruned tensors, in write order.</summary>
    public static IReadOnlyList<string> PrunedTensors(LlamaConfig config) =>
        [.. Enumerable.Range(0, config.NumHiddenLayers).SelectMany(k => DecoderBlockWeights.LinearNames.Select(n => LlamaTensorNames.Layer(k, n)))];

    /// <summary>Writes block k (must be the next one) with its bit-packed masks by linear short name.</summary>
    public void WriteBlock(DecoderBlockWeights block, IReadOnlyDictionary<string, byte[]> packedMasks)
    {
        if (block.Layer != _nextBlock) throw new InvalidOperationException($"block {block.Layer} written out of order; expected block {_nextBlock}.");
        foreach (var (name, values) in block.Tensors()) _weights.Write(name, values);
        foreach (var name in DecoderBlockWeights.LinearNames)
        {
            if (!packedMasks.TryGetValue(name, out var mask)) throw new InvalidOperationException($"block {block.Layer} has no mask for {name}.");
            _masks.WritePacked(LlamaTensorNames.Layer(block.Layer, name), mask);
        }
        _nextBlock++;
    }

    /// <summary>Writes the final norm and LM head, commits both safetensors files and copies config + tokenizer files.</summary>
    public void Complete()
    {
        var config = _source.Config;
        if (_nextBlock != config.NumHiddenLayers)
            throw new InvalidOperationException($"only {_nextBlock} of {config.NumHiddenLayers} blocks were written.");
        CopyTensor(LlamaTensorNames.FinalNorm);
        if (!config.TieWordEmbeddings) CopyTensor(LlamaTensorNames.LmHead);
        _weights.Commit();
        _masks.Complete();
        foreach (var file in Directory.EnumerateFiles(_source.Directory))
        {
            var name = Path.GetFileName(file);
            if (NotCopied.Contains(name) || name.EndsWith(".safetensors", StringComparison.Ordinal) || name.EndsWith(".tmp", StringComparison.Ordinal)) continue;
            File.Copy(file, Path.Combine(_directory, name), overwrite: false);
        }
    }

    private void CopyTensor(string name) => _weights.Write(name, _source.ReadTensor(name));

    public void Dispose()
    {
        _weights.Dispose();
        _masks.Dispose();
    }
}
