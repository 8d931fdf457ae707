using PrunePipeline.Model.Safetensors;

namespace PrunePipeline.Model;

/// <summary>
/// Writes a normal HF model directory (config.json + model.safetensors) tensor by tensor: the caller produces each
/// tensor on demand, so a model larger than memory can be written (synthetic models, converted or pruned weights).
/// </summary>
public static class LlamaModelWriter
{
    /// <param name="produce">Called once per tensor in canonical order with (HF name, shape); returns its fp32 values.</param>
    /// <param name="dtype">Stored dtype: F32 (default), F16 or BF16.</param>
    public static void Write(string directory, LlamaConfig config, Func<string, long[], float[]> produce, string dtype = SafetensorsDType.F32)
    {
        config.Validate();
        System.IO.Directory.CreateDirectory(directory);
        var tensors = LlamaTensorNames.Expected(config);
        using (var writer = new SafetensorsWriter(Path.Combine(directory, SafetensorsCheckpoint.SingleFileName), tensors, dtype))
        {
            foreach (var (name, shape) in tensors) writer.Write(name, produce(name, shape));
            writer.Commit();
        }
        // A stale index would take precedence over the file just written.
        var index = Path.Combine(directory, SafetensorsCheckpoint.IndexFileName);
        if (File.Exists(index)) File.Delete(index);
        config.Save(directory, SafetensorsDType.TorchName(dtype));
    }
}
