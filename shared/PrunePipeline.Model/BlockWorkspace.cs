using PrunePipeline.Model.Kernels;

namespace PrunePipeline.Model;

/// <summary>
/// Caller-owned scratch for <see cref="DecoderBlock.Forward"/>, sized for up to <see cref="MaxTokens"/> tokens of one
/// config, so a forward pass allocates nothing. Not thread-safe: one workspace per concurrent forward.
/// Legend: T tokens, d hidden, q = heads·head_dim, kv = kv_heads·head_dim, f intermediate.
/// </summary>
public sealed class BlockWorkspace
{
    public BlockWorkspace(LlamaConfig config, int maxTokens)
    {
        if (maxTokens <= 0) throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "must be positive");
        Config = config;
        MaxTokens = maxTokens;
        long T = maxTokens;
        Normed = new float[checked((int)(T * config.HiddenSize))];
        Projected = new float[Normed.Length];
        Query = new float[checked((int)(T * config.QueryDim))];
        Key = new float[checked((int)(T * config.KeyValueDim))];
        Value = new float[Key.Length];
        QueryHeads = new float[Query.Length];
        KeyHeads = new float[Key.Length];
        ValueHeads = new float[Key.Length];
        AttentionOut = new float[Query.Length];
        Scores = new float[checked((int)(T * T))];
        HeadOut = new float[checked((int)(T * config.HeadDim))];
        Gate = new float[checked((int)(T * config.IntermediateSize))];
        Up = new float[Gate.Length];
        Rotary = new RotaryEmbedding(config.HeadDim, config.RopeTheta, maxTokens);
    }

    public LlamaConfig Config { get; }
    public int MaxTokens { get; }
    internal float[] Normed { get; }      // T×d
    internal float[] Projected { get; }   // T×d
    internal float[] Query { get; }       // T×q
    internal float[] Key { get; }         // T×kv
    internal float[] Value { get; }       // T×kv
    internal float[] QueryHeads { get; }  // heads×T×D
    internal float[] KeyHeads { get; }    // kv_heads×T×D
    internal float[] ValueHeads { get; }  // kv_heads×T×D
    internal float[] AttentionOut { get; } // T×q
    internal float[] Scores { get; }      // T×T
    internal float[] HeadOut { get; }     // T×D
    internal float[] Gate { get; }        // T×f
    internal float[] Up { get; }          // T×f
    internal RotaryEmbedding Rotary { get; }
}
