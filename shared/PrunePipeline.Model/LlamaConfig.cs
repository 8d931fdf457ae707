using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PrunePipeline.Errors;

namespace PrunePipeline.Model;

/// <summary>
/// The architecture of a LLaMA-family decoder, read from / written to a Hugging Face <c>config.json</c>
/// (<c>LlamaForCausalLM</c> or <c>MistralForCausalLM</c>). Nothing about sparsity belongs here (algorithm.md §10).
/// </summary>
public sealed record LlamaConfig
{
    public static readonly IReadOnlyList<string> SupportedArchitectures = ["LlamaForCausalLM", "MistralForCausalLM"];

    public string Architecture { get; init; } = "LlamaForCausalLM";
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumHiddenLayers { get; init; }
    public required int NumAttentionHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public required int VocabSize { get; init; }
    public float RmsNormEps { get; init; } = 1e-5f;
    public double RopeTheta { get; init; } = 10000.0;
    public int MaxPositionEmbeddings { get; init; } = 2048;
    public bool TieWordEmbeddings { get; init; }
    public required int HeadDim { get; init; }
    public int BosTokenId { get; init; } = 1;
    public int EosTokenId { get; init; } = 2;
    public string TorchDtype { get; init; } = "float32";

    /// <summary>Mistral's attention window; the forward refuses sequences longer than it (it implements full causal attention).</summary>
    public int? SlidingWindow { get; init; }

    /// <summary>Query width = heads × head_dim (equals hidden_size for LLaMA, may differ for Mistral-style configs).</summary>
    public int QueryDim => NumAttentionHeads * HeadDim;

    /// <summary>Key/value width = kv heads × head_dim.</summary>
    public int KeyValueDim => NumKeyValueHeads * HeadDim;

    /// <summary>Number of weights (embedding, blocks, final norm, untied head).</summary>
    public long ParameterCount
    {
        get
        {
            long d = HiddenSize, f = IntermediateSize;
            var perBlock = 2 * d + d * QueryDim + 2 * d * KeyValueDim + QueryDim * d + 3 * d * f;
            return (long)VocabSize * d * (TieWordEmbeddings ? 1 : 2) + NumHiddenLayers * perBlock + d;
        }
    }

    /// <summary>Reads and validates <c>config.json</c>; errors name the file and the field.</summary>
    public static LlamaConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model config not found: {path}", path);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(StrictUtf8.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})");
        }
        return FromJson(root as JsonObject ?? throw new InvalidDataException($"{path}: expected a JSON object"), path);
    }

    /// <summary>Parses a config object; <paramref name="source"/> names the file in error messages.</summary>
    public static LlamaConfig FromJson(JsonObject o, string source = "config.json")
    {
        var archs = o["architectures"] as JsonArray;
        var arch = archs is { Count: > 0 } ? archs[0]?.GetValue<string>() : null;
        if (arch is null)
        {
            var modelType = o["model_type"]?.GetValue<string>();
            arch = modelType switch
            {
                "llama" => "LlamaForCausalLM",
                "mistral" => "MistralForCausalLM",
                _ => throw new InvalidDataException(
                    $"{source}: no 'architectures' field (model_type '{modelType ?? "missing"}'); supported: {string.Join(", ", SupportedArchitectures)}"),
            };
        }
        if (!SupportedArchitectures.Contains(arch))
            throw new UnsupportedInputException(
                $"{source}: architecture '{arch}' is not supported; supported: {string.Join(", ", SupportedArchitectures)}");

        int Int(string name, int? fallback = null)
        {
            var n = o[name];
            if (n is null || n.GetValueKind() == JsonValueKind.Null)
                return fallback ?? throw new InvalidDataException($"{source}: missing field '{name}'");
            if (n.GetValueKind() != JsonValueKind.Number || !n.AsValue().TryGetValue<int>(out var v))
                throw new InvalidDataException($"{source}: field '{name}' must be an integer, got {n.ToJsonString()}");
            return v;
        }
        double Dbl(string name, double fallback)
        {
            var n = o[name];
            if (n is null || n.GetValueKind() == JsonValueKind.Null) return fallback;
            if (n.GetValueKind() != JsonValueKind.Number)
                throw new InvalidDataException($"{source}: field '{name}' must be a number, got {n.ToJsonString()}");
            return n.GetValue<double>();
        }
        int? TokenId(string name)
        {
            var n = o[name];
            if (n is null || n.GetValueKind() == JsonValueKind.Null) return null;
            // Some configs list several EOS ids; the first one is the one generation stops on.
            if (n is JsonArray a) return a.Count > 0 ? a[0]!.GetValue<int>() : null;
            return Int(name);
        }

        bool Bool(string name, bool fallback)
        {
            var n = o[name];
            if (n is null || n.GetValueKind() == JsonValueKind.Null) return fallback;
            return n.GetValueKind() switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new InvalidDataException($"{source}: field '{name}' must be true or false, got {n.ToJsonString()}"),
            };
        }
        string Str(string name, string fallback)
        {
            var n = o[name];
            if (n is null || n.GetValueKind() == JsonValueKind.Null) return fallback;
            return n.GetValueKind() == JsonValueKind.String
                ? n.GetValue<string>()
                : throw new InvalidDataException($"{source}: field '{name}' must be a string, got {n.ToJsonString()}");
        }

        // Features this forward does not implement are refused rather than silently computed wrong.
        foreach (var bias in new[] { "attention_bias", "mlp_bias" })
            if (Bool(bias, false)) throw new UnsupportedInputException($"{source}: '{bias}': true is not supported (LLaMA linears have no bias)");
        var act = Str("hidden_act", "silu");
        if (act != "silu") throw new UnsupportedInputException($"{source}: hidden_act '{act}' is not supported (only silu)");
        var hidden = Int("hidden_size");
        var heads = Int("num_attention_heads");
        var ropeTheta = Dbl("rope_theta", 10000.0);
        if (o["rope_scaling"] is JsonObject scaling)
            throw new UnsupportedInputException($"{source}: 'rope_scaling' ({scaling.ToJsonString()}) is not supported");
        var config = new LlamaConfig
        {
            Architecture = arch,
            HiddenSize = hidden,
            IntermediateSize = Int("intermediate_size"),
            NumHiddenLayers = Int("num_hidden_layers"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = Int("num_key_value_heads", heads),
            VocabSize = Int("vocab_size"),
            RmsNormEps = (float)Dbl("rms_norm_eps", 1e-6),
            RopeTheta = ropeTheta,
            MaxPositionEmbeddings = Int("max_position_embeddings", 2048),
            TieWordEmbeddings = Bool("tie_word_embeddings", false),
            HeadDim = Int("head_dim", heads > 0 ? hidden / heads : 0),
            BosTokenId = TokenId("bos_token_id") ?? 1,
            EosTokenId = TokenId("eos_token_id") ?? 2,
            TorchDtype = Str("torch_dtype", "float32"),
            SlidingWindow = o["sliding_window"] is { } sw && sw.GetValueKind() != JsonValueKind.Null ? Int("sliding_window") : null,
        };
        config.Validate(source);
        return config;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> naming the first inconsistent field.</summary>
    public void Validate(string source = "config")
    {
        void Positive(string name, long v)
        {
            if (v <= 0) throw new InvalidDataException($"{source}: field '{name}' must be positive, got {v}");
        }
        Positive("hidden_size", HiddenSize);
        Positive("intermediate_size", IntermediateSize);
        Positive("num_hidden_layers", NumHiddenLayers);
        Positive("num_attention_heads", NumAttentionHeads);
        Positive("num_key_value_heads", NumKeyValueHeads);
        Positive("vocab_size", VocabSize);
        Positive("head_dim", HeadDim);
        Positive("max_position_embeddings", MaxPositionEmbeddings);
        if (NumAttentionHeads % NumKeyValueHeads != 0)
            throw new InvalidDataException(
                $"{source}: num_attention_heads ({NumAttentionHeads}) must be a multiple of num_key_value_heads ({NumKeyValueHeads})");
        if (HeadDim % 2 != 0)
            throw new InvalidDataException($"{source}: head_dim ({HeadDim}) must be even for rotary embeddings");
        if (!(RmsNormEps > 0) || !float.IsFinite(RmsNormEps))
            throw new InvalidDataException($"{source}: field 'rms_norm_eps' must be a positive number, got {RmsNormEps}");
        if (SlidingWindow is <= 0)
            throw new InvalidDataException($"{source}: field 'sliding_window' must be positive or null, got {SlidingWindow}");
        if (!(RopeTheta > 0) || !double.IsFinite(RopeTheta))
            throw new InvalidDataException($"{source}: field 'rope_theta' must be a positive number, got {RopeTheta}");
    }

    /// <summary>A normal HF config.json (indented); <paramref name="torchDtype"/> overrides the recorded dtype.</summary>
    public string ToJson(string? torchDtype = null)
    {
        var o = new JsonObject
        {
            ["architectures"] = new JsonArray(Architecture),
            ["model_type"] = Architecture == "MistralForCausalLM" ? "mistral" : "llama",
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = NumHiddenLayers,
            ["num_attention_heads"] = NumAttentionHeads,
            ["num_key_value_heads"] = NumKeyValueHeads,
            ["head_dim"] = HeadDim,
            ["vocab_size"] = VocabSize,
            ["rms_norm_eps"] = JsonValue.Create(double.Parse(RmsNormEps.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)),
            ["rope_theta"] = RopeTheta,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["bos_token_id"] = BosTokenId,
            ["eos_token_id"] = EosTokenId,
            ["hidden_act"] = "silu",
            ["attention_bias"] = false,
            ["mlp_bias"] = false,
            ["torch_dtype"] = torchDtype ?? TorchDtype,
        };
        if (SlidingWindow is { } window) o["sliding_window"] = window;
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Writes <c>config.json</c> into <paramref name="directory"/>.</summary>
    public void Save(string directory, string? torchDtype = null) =>
        File.WriteAllText(Path.Combine(directory, "config.json"), ToJson(torchDtype) + "\n");
}
