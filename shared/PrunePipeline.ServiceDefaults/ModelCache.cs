using System.Collections.Concurrent;
using PrunePipeline.Model;

namespace PrunePipeline.ServiceDefaults;

/// <summary>Opened dense models by directory, shared by the consumers of a process: a pruner reads one tensor per
/// message and should not re-parse the checkpoint header each time. Reads are serialized per model (the checkpoint
/// reader is not documented as thread-safe).</summary>
public sealed class ModelCache : IDisposable
{
    readonly ConcurrentDictionary<string, Lazy<LlamaModel>> _models = new(StringComparer.Ordinal);

    /// <summary>The model in <paramref name="directory"/>; a missing directory raises an error naming it.</summary>
    public LlamaModel Get(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"model directory not found: {directory}");
        return _models.GetOrAdd(full, d => new Lazy<LlamaModel>(() => LlamaModel.Open(d))).Value;
    }

    /// <summary>Reads one tensor under the model's lock.</summary>
    public float[] ReadTensor(string directory, string name)
    {
        var model = Get(directory);
        lock (model) return model.ReadTensor(name);
    }

    /// <summary>Loads one decoder block under the model's lock.</summary>
    public DecoderBlockWeights LoadBlock(string directory, int block)
    {
        var model = Get(directory);
        lock (model) return model.LoadBlock(block);
    }

    public void Dispose()
    {
        foreach (var m in _models.Values)
            if (m.IsValueCreated) m.Value.Dispose();
        _models.Clear();
    }
}
