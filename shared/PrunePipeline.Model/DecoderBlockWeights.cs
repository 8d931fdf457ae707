namespace PrunePipeline.Model;

/// <summary>
/// The fp32 weights of one decoder block, each linear stored rows=out × cols=in (HF layout). Linears can be
/// enumerated and replaced by short name (<c>self_attn.q_proj</c> … <c>mlp.down_proj</c>), which is how pruning
/// swaps in sparse weights.
/// </summary>
public sealed class DecoderBlockWeights
{
    public const string InputLayerNormName = "input_layernorm";
    public const string PostAttentionLayerNormName = "post_attention_layernorm";
    public const string QProj = "self_attn.q_proj";
    public const string KProj = "self_attn.k_proj";
    public const string VProj = "self_attn.v_proj";
    public const string OProj = "self_attn.o_proj";
    public const string GateProj = "mlp.gate_proj";
    public const string UpProj = "mlp.up_proj";
    public const string DownProj = "mlp.down_proj";

    /// <summary>The seven linears in forward order.</summary>
    public static readonly IReadOnlyList<string> LinearNames = [QProj, KProj, VProj, OProj, GateProj, UpProj, DownProj];

    private readonly float[][] _linears = new float[7][];

    /// <summary>Builds a block from a tensor source (called with the full HF name and expected element count).</summary>
    public DecoderBlockWeights(LlamaConfig config, int layer, Func<string, long, float[]> read)
    {
        Config = config;
        Layer = layer;
        long d = config.HiddenSize;
        InputLayerNorm = Checked(LlamaTensorNames.Layer(layer, InputLayerNormName), d, read);
        PostAttentionLayerNorm = Checked(LlamaTensorNames.Layer(layer, PostAttentionLayerNormName), d, read);
        for (var i = 0; i < 7; i++)
        {
            var (rows, cols) = LinearShape(config, LinearNames[i]);
            _linears[i] = Checked(LlamaTensorNames.Layer(layer, LinearNames[i]), (long)rows * cols, read);
        }
    }

    public LlamaConfig Config { get; }
    public int Layer { get; }
    public float[] InputLayerNorm { get; set; }
    public float[] PostAttentionLayerNorm { get; set; }
    public float[] Q => _linears[0];
    public float[] K => _linears[1];
    public float[] V => _linears[2];
    public float[] O => _linears[3];
    public float[] Gate => _linears[4];
    public float[] Up => _linears[5];
    public float[] Down => _linears[6];

    /// <summary>(rows = out, cols = in) of a linear of <paramref name="config"/>.</summary>
    public static (int Rows, int Cols) LinearShape(LlamaConfig config, string shortName) => shortName switch
    {
        QProj => (config.QueryDim, config.HiddenSize),
        KProj or VProj => (config.KeyValueDim, config.HiddenSize),
        OProj => (config.HiddenSize, config.QueryDim),
        GateProj or UpProj => (config.IntermediateSize, config.HiddenSize),
        DownProj => (config.HiddenSize, config.IntermediateSize),
        _ => throw new ArgumentException($"unknown linear '{shortName}'; expected one of {string.Join(", ", LinearNames)}", nameof(shortName)),
    };

    /// <summary>The observed input feeding a linear: attn_in, o_in, mlp_in or down_in.</summary>
    public static string InputNameOf(string shortName) => shortName switch
    {
        QProj or KProj or VProj => "attn_in",
        OProj => "o_in",
        GateProj or UpProj => "mlp_in",
        DownProj => "down_in",
        _ => throw new ArgumentException($"unknown linear '{shortName}'", nameof(shortName)),
    };

    /// <summary>The seven linears with their names and shapes.</summary>
    public IEnumerable<LinearWeight> Linears => LinearNames.Select(GetLinearWeight);

    /// <summary>One linear with its names and shape.</summary>
    public LinearWeight GetLinearWeight(string shortName)
    {
        var (rows, cols) = LinearShape(Config, shortName);
        return new LinearWeight(shortName, LlamaTensorNames.Layer(Layer, shortName), InputNameOf(shortName), GetLinear(shortName), rows, cols);
    }

    /// <summary>The weights of a linear (rows × cols row-major; the array itself, not a copy).</summary>
    public float[] GetLinear(string shortName) => _linears[IndexOf(shortName)];

    /// <summary>Replaces a linear's weights (length must be rows × cols).</summary>
    public void SetLinear(string shortName, float[] weights)
    {
        var (rows, cols) = LinearShape(Config, shortName);
        if (weights.Length != (long)rows * cols)
            throw new ArgumentException($"{LlamaTensorNames.Layer(Layer, shortName)} needs {rows}×{cols} = {(long)rows * cols} values, got {weights.Length}", nameof(weights));
        _linears[IndexOf(shortName)] = weights;
    }

    /// <summary>Every tensor of the block as (HF name, values): norms and linears.</summary>
    public IEnumerable<(string Name, float[] Values)> Tensors()
    {
        yield return (LlamaTensorNames.Layer(Layer, InputLayerNormName), InputLayerNorm);
        for (var i = 0; i < 7; i++) yield return (LlamaTensorNames.Layer(Layer, LinearNames[i]), _linears[i]);
        yield return (LlamaTensorNames.Layer(Layer, PostAttentionLayerNormName), PostAttentionLayerNorm);
    }

    private static int IndexOf(string shortName)
    {
        for (var i = 0; i < 7; i++)
            if (LinearNames[i] == shortName) return i;
        throw new ArgumentException($"unknown linear '{shortName}'; expected one of {string.Join(", ", LinearNames)}", nameof(shortName));
    }

    private static float[] Checked(string name, long count, Func<string, long, float[]> read)
    {
        var values = read(name, count);
        if (values.Length != count) throw new InvalidDataException($"tensor '{name}' has {values.Length} values, expected {count}");
        return values;
    }
}
