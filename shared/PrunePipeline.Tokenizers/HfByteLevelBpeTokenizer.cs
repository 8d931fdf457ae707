using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace PrunePipeline.Tokenizers;

/// <summary>
/// A Hugging Face byte-level BPE <c>tokenizer.json</c> (Llama-3, Qwen2/Qwen3, GPT-2 style) through
/// Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>: the file's regex pre-tokenizer (Split, Isolated), the
/// byte-to-unicode map (ByteLevel), its merges, added/special tokens matched in the text, and NFC where the file
/// configures it. BOS/EOS come from the <c>tokenizer_config.json</c> beside it, because this family's
/// tokenizer.json does not say which token starts a document (Llama-3's copy here adds no BOS itself; Qwen has none).
/// </summary>
/// <remarks>
/// Only the byte-level kind goes through ML.Tokenizers. SentencePiece-style files (LLaMA-2, and the tokenizer.json we
/// write for llama2.c models) stay with <see cref="HfBpeTokenizer"/> and <see cref="SentencePieceTokenizer"/>: they
/// need byte fallback, and ML.Tokenizers' <c>LlamaTokenizer</c> gave ids different from real SentencePiece on some
/// texts ("VIIIs", empty input with BOS) where ours match.
/// </remarks>
public sealed class HfByteLevelBpeTokenizer : ITokenizer
{
    // GPT-2's pattern: what a ByteLevel pre-tokenizer with use_regex = true splits on.
    const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    readonly BpeTokenizer _bpe;
    readonly bool _addBos;
    readonly string?[] _pieces;

    HfByteLevelBpeTokenizer(BpeTokenizer bpe, int bosId, int eosId, bool addBos, string?[] pieces)
    {
        _bpe = bpe;
        BosId = bosId;
        EosId = eosId;
        _addBos = addBos;
        _pieces = pieces;
    }

    public int VocabSize => _pieces.Length;

    /// <summary>The BOS id, or -1 when the model has none (Qwen): then no BOS is ever added.</summary>
    public int BosId { get; }

    public int EosId { get; }

    /// <summary>True when <paramref name="root"/> (a parsed tokenizer.json) is the byte-level kind this class reads.</summary>
    public static bool IsByteLevel(JsonElement root) =>
        root.TryGetProperty("pre_tokenizer", out var pre) && HasByteLevel(pre);

    static bool HasByteLevel(JsonElement pre) =>
        pre.ValueKind == JsonValueKind.Object && pre.TryGetProperty("type", out var t) &&
        (t.GetString() == "ByteLevel" ||
         (t.GetString() == "Sequence" && pre.TryGetProperty("pretokenizers", out var list) && list.EnumerateArray().Any(HasByteLevel)));

    /// <summary>Reads <paramref name="path"/> and the tokenizer_config.json in its folder.</summary>
    public static HfByteLevelBpeTokenizer Load(string path, JsonElement root)
    {
        var model = Property(root, "model", path);
        var type = model.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type != "BPE") throw new NotSupportedException($"{path}: model.type is '{type}'; only BPE is supported");
        if (model.TryGetProperty("byte_fallback", out var bf) && bf.ValueKind == JsonValueKind.True)
            throw new NotSupportedException($"{path}: byte_fallback with a ByteLevel pre-tokenizer is not supported");

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in Property(model, "vocab", path).EnumerateObject()) vocab[p.Name] = p.Value.GetInt32();
        var merges = new List<string>();
        foreach (var m in Property(model, "merges", path).EnumerateArray())
        {
            // Older files write "left right", newer ones ["left", "right"]; byte-level pieces never contain a space.
            var merge = m.ValueKind == JsonValueKind.Array && m.GetArrayLength() == 2 ? $"{m[0].GetString()} {m[1].GetString()}" : m.GetString();
            if (merge is null || merge.Count(c => c == ' ') != 1)
                throw new InvalidDataException($"{path}: merge {merges.Count} is not a pair of pieces: {m.GetRawText()}");
            merges.Add(merge);
        }

        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out var addedTokens) && addedTokens.ValueKind == JsonValueKind.Array)
            foreach (var a in addedTokens.EnumerateArray())
                added[Property(a, "content", path).GetString() ?? ""] = Property(a, "id", path).GetInt32();

        Regex regex;
        try
        {
            // The file's pattern is written for Rust's regex crate; the Llama-3/Qwen/GPT-2 patterns mean the same in .NET.
            regex = new Regex(SplitPattern(root, path), RegexOptions.Compiled | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new NotSupportedException($"{path}: the pre-tokenizer regex is not valid in .NET: {e.Message}", e);
        }
        // ML.Tokenizers has no ignore_merges (Llama-3 sets it: a pre-token that is itself in the vocabulary is not merged
        // further); the merges reach the same token for such words: measured against the reference JS tokenizer
        // (@lenml/tokenizers 3.7.2), every WikiText-2 test row and 200 C4 documents give identical ids for Llama-3 and
        // Qwen3 (the committed tests check ../shared/models/tokenizers/vectors.json).
        var options = new BpeOptions(vocab)
        {
            Merges = merges,
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(regex, added),
            Normalizer = ReadNormalizer(root, path),
            SpecialTokens = added,
        };
        var bpe = BpeTokenizer.Create(options);

        var (bos, eos, addBos) = ReadSpecialTokens(path, added, vocab);
        var pieces = new string?[Math.Max(vocab.Values.DefaultIfEmpty(-1).Max(), added.Values.DefaultIfEmpty(-1).Max()) + 1];
        foreach (var (piece, id) in vocab.Concat(added))
            pieces[id >= 0 ? id : throw new InvalidDataException($"{path}: token '{piece}' has a negative id {id}")] = piece;
        return new HfByteLevelBpeTokenizer(bpe, bos, eos, addBos, pieces);
    }

    public int[] Encode(string text, bool addBos)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = _bpe.EncodeToIds(text, considerPreTokenization: true, considerNormalization: true);
        return addBos && _addBos && BosId >= 0 ? [BosId, .. ids] : [.. ids];
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        foreach (var id in ids)
            if ((uint)id >= (uint)VocabSize)
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the vocabulary (size {VocabSize})");
        return _bpe.Decode(ids.ToArray(), considerSpecialTokens: false) ?? "";
    }

    /// <summary>The vocabulary entry (byte-level alphabet, e.g. "Ġworld") of <paramref name="id"/>.</summary>
    public string Piece(int id) => (uint)id < (uint)_pieces.Length ? _pieces[id] ?? $"<unused {id}>" : $"<out of range {id}>";

    static string SplitPattern(JsonElement root, string path)
    {
        var pre = Property(root, "pre_tokenizer", path);
        var steps = Type(pre) == "Sequence" ? Property(pre, "pretokenizers", path).EnumerateArray().ToArray() : [pre];
        string? pattern = null;
        foreach (var step in steps)
            switch (Type(step))
            {
                case "Split" when pattern is null:
                    var behavior = step.TryGetProperty("behavior", out var b) ? b.GetString() : null;
                    var invert = step.TryGetProperty("invert", out var inv) && inv.ValueKind == JsonValueKind.True;
                    if (behavior != "Isolated" || invert || !Property(step, "pattern", path).TryGetProperty("Regex", out var r))
                        throw new NotSupportedException($"{path}: only a Split pre-tokenizer with a Regex pattern, behavior Isolated, not inverted is supported");
                    pattern = r.GetString();
                    break;
                case "ByteLevel":
                    if (step.TryGetProperty("add_prefix_space", out var aps) && aps.ValueKind == JsonValueKind.True)
                        throw new NotSupportedException($"{path}: ByteLevel with add_prefix_space is not supported");
                    if (step.TryGetProperty("use_regex", out var ur) && ur.ValueKind != JsonValueKind.False)
                        pattern = pattern is null ? Gpt2Pattern : throw new NotSupportedException($"{path}: a Split followed by a ByteLevel with use_regex is not supported");
                    break;
                default:
                    throw new NotSupportedException($"{path}: pre-tokenizer step '{Type(step)}' is not supported (Split + ByteLevel only)");
            }
        return pattern ?? throw new NotSupportedException($"{path}: the pre-tokenizer splits nothing (no Split regex, ByteLevel without use_regex)");
    }

    static Normalizer? ReadNormalizer(JsonElement root, string path)
    {
        if (!root.TryGetProperty("normalizer", out var n) || n.ValueKind == JsonValueKind.Null) return null;
        return Type(n) switch
        {
            "NFC" => new NfcNormalizer(),
            var other => throw new NotSupportedException($"{path}: normalizer '{other}' is not supported for byte-level BPE (NFC or none)"),
        };
    }

    static (int Bos, int Eos, bool AddBos) ReadSpecialTokens(string path, Dictionary<string, int> added, Dictionary<string, int> vocab)
    {
        var configPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "tokenizer_config.json");
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"{path}: a byte-level tokenizer.json needs tokenizer_config.json beside it (it names BOS/EOS); not found: {configPath}", configPath);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(configPath));
            var config = doc.RootElement;
            int IdOf(string field)
            {
                if (!config.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return -1;
                // Either "<|token|>" or an AddedToken object {"content": "<|token|>", ...}.
                var content = v.ValueKind == JsonValueKind.Object ? Property(v, "content", configPath).GetString() : v.GetString();
                if (content is not null && (added.TryGetValue(content, out var id) || vocab.TryGetValue(content, out id))) return id;
                throw new InvalidDataException($"{configPath}: {field} '{content}' is not a token of {path}");
            }
            var bos = IdOf("bos_token");
            var eos = IdOf("eos_token");
            if (eos < 0) throw new InvalidDataException($"{configPath}: no eos_token");
            // No add_bos_token field (Llama-3): transformers adds the BOS it names; Qwen sets add_bos_token false.
            var addBos = config.TryGetProperty("add_bos_token", out var ab) ? ab.ValueKind == JsonValueKind.True : bos >= 0;
            return (addBos ? bos : -1, eos, addBos);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{configPath}: invalid JSON: {e.Message}", e);
        }
    }

    static string? Type(JsonElement e) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var t) ? t.GetString() : null;

    static JsonElement Property(JsonElement e, string name, string path) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v
            : throw new InvalidDataException($"{path}: missing '{name}'");
}
