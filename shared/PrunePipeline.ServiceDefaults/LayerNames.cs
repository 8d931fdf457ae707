using PrunePipeline.Model;

namespace PrunePipeline.ServiceDefaults;

/// <summary>Maps HF tensor names of decoder linears ("model.layers.3.mlp.up_proj.weight") back to (block, short name).</summary>
public static class LayerNames
{
    public static (int Block, string ShortName) Parse(string tensor)
    {
        const string prefix = "model.layers.";
        const string suffix = ".weight";
        if (tensor.StartsWith(prefix, StringComparison.Ordinal) && tensor.EndsWith(suffix, StringComparison.Ordinal))
        {
            var rest = tensor[prefix.Length..^suffix.Length];
            var dot = rest.IndexOf('.');
            if (dot > 0 && int.TryParse(rest[..dot], out var block) && DecoderBlockWeights.LinearNames.Contains(rest[(dot + 1)..]))
                return (block, rest[(dot + 1)..]);
        }
        throw new ArgumentException($"'{tensor}' is not the name of a decoder linear (model.layers.K.<linear>.weight).");
    }

    /// <summary>(rows, cols) of a decoder linear of <paramref name="config"/>.</summary>
    public static (int Rows, int Cols) Shape(LlamaConfig config, string tensor) => DecoderBlockWeights.LinearShape(config, Parse(tensor).ShortName);
}
