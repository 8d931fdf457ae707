namespace PrunePipeline.Model;

/// <summary>Hugging Face tensor names of a LLaMA checkpoint and their expected shapes for a config.</summary>
public static class LlamaTensorNames
{
    public const string Embedding = "model.embed_tokens.weight";
    public const string FinalNorm = "model.norm.weight";
    public const string LmHead = "lm_head.weight";

    /// <summary><c>model.layers.{layer}.{shortName}.weight</c>, e.g. shortName <c>self_attn.q_proj</c>.</summary>
    public static string Layer(int layer, string shortName) => $"model.layers.{layer}.{shortName}.weight";

    /// <summary>Every tensor a checkpoint of <paramref name="config"/> must have, in canonical write order.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> Expected(LlamaConfig config)
    {
        long d = config.HiddenSize;
        var list = new List<(string, long[])> { (Embedding, [config.VocabSize, d]) };
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            list.Add((Layer(i, DecoderBlockWeights.InputLayerNormName), [d]));
            foreach (var name in DecoderBlockWeights.LinearNames)
            {
                var (rows, cols) = DecoderBlockWeights.LinearShape(config, name);
                list.Add((Layer(i, name), [rows, cols]));
            }
            list.Add((Layer(i, DecoderBlockWeights.PostAttentionLayerNormName), [d]));
        }
        list.Add((FinalNorm, [d]));
        if (!config.TieWordEmbeddings) list.Add((LmHead, [config.VocabSize, d]));
        return list;
    }
}
