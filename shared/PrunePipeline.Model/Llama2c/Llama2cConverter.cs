namespace PrunePipeline.Model.Llama2c;

/// <summary>
/// Converts a llama2.c checkpoint to an HF LLaMA directory (config.json, generation_config.json, model.safetensors).
/// llama2.c rotates adjacent pairs (2i, 2i+1) of each head; HF rotates (i, i + D/2) with the same frequency index i.
/// Reordering each head's q and k rows to [0, 2, 4, …, 1, 3, 5, …] maps one onto the other, and since q·k is
/// invariant under the same permutation of both, attention (and every output) is unchanged. Tokenizer files are
/// written by the caller (the Tokenizers library).
/// </summary>
public static class Llama2cConverter
{
    /// <summary>Writes the converted model into <paramref name="outDirectory"/>; returns its config.</summary>
    public static LlamaConfig Convert(string checkpointPath, string outDirectory)
    {
        var ckpt = Llama2cCheckpoint.Open(checkpointPath);
        var config = ckpt.ToConfig();
        LlamaModelWriter.Write(outDirectory, config, (name, _) => ReadAsHf(ckpt, name));
        File.WriteAllText(Path.Combine(outDirectory, "generation_config.json"),
            $"{{\n  \"bos_token_id\": {config.BosTokenId},\n  \"eos_token_id\": {config.EosTokenId},\n  \"do_sample\": false\n}}\n");
        return config;
    }

    /// <summary>One HF tensor of the checkpoint, with q/k rows permuted to the rotate-half layout.</summary>
    public static float[] ReadAsHf(Llama2cCheckpoint ckpt, string hfName)
    {
        switch (hfName)
        {
            case LlamaTensorNames.Embedding: return ckpt.ReadRaw("tok_embeddings");
            case LlamaTensorNames.FinalNorm: return ckpt.ReadRaw("rms_final");
            case LlamaTensorNames.LmHead: return ckpt.ReadRaw(ckpt.Shared ? "tok_embeddings" : "wcls");
        }
        const string prefix = "model.layers.";
        if (hfName.StartsWith(prefix, StringComparison.Ordinal))
        {
            var rest = hfName[prefix.Length..];
            var dot = rest.IndexOf('.');
            var layer = int.Parse(rest[..dot], System.Globalization.CultureInfo.InvariantCulture);
            var shortName = rest[(dot + 1)..^".weight".Length];
            switch (shortName)
            {
                case DecoderBlockWeights.InputLayerNormName: return ckpt.ReadRaw("rms_att", layer);
                case DecoderBlockWeights.PostAttentionLayerNormName: return ckpt.ReadRaw("rms_ffn", layer);
                case DecoderBlockWeights.QProj: return PermuteRotaryRows(ckpt.ReadRaw("wq", layer), ckpt.Heads, ckpt.HeadSize, ckpt.Dim);
                case DecoderBlockWeights.KProj: return PermuteRotaryRows(ckpt.ReadRaw("wk", layer), ckpt.KvHeads, ckpt.HeadSize, ckpt.Dim);
                case DecoderBlockWeights.VProj: return ckpt.ReadRaw("wv", layer);
                case DecoderBlockWeights.OProj: return ckpt.ReadRaw("wo", layer);
                case DecoderBlockWeights.GateProj: return ckpt.ReadRaw("w1", layer);
                case DecoderBlockWeights.UpProj: return ckpt.ReadRaw("w3", layer);
                case DecoderBlockWeights.DownProj: return ckpt.ReadRaw("w2", layer);
            }
        }
        throw new ArgumentException($"no llama2.c source for tensor '{hfName}'", nameof(hfName));
    }

    /// <summary>
    /// For each head's block of <paramref name="headSize"/> rows (each <paramref name="cols"/> wide), new row j takes
    /// old row 2j for j &lt; D/2 and old row 2(j − D/2) + 1 otherwise.
    /// </summary>
    public static float[] PermuteRotaryRows(ReadOnlySpan<float> w, int heads, int headSize, int cols)
    {
        if (w.Length != (long)heads * headSize * cols) throw new ArgumentException($"weight has {w.Length} values, expected {heads}×{headSize}×{cols}");
        var result = new float[w.Length];
        var half = headSize / 2;
        for (var h = 0; h < heads; h++)
            for (var j = 0; j < headSize; j++)
            {
                var old = j < half ? 2 * j : 2 * (j - half) + 1;
                w.Slice((h * headSize + old) * cols, cols).CopyTo(result.AsSpan((h * headSize + j) * cols, cols));
            }
        return result;
    }
}
