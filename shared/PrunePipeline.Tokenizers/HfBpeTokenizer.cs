using PrunePipeline.Errors;
using System.Text;
using System.Text.Json;
using PrunePipeline.Tokenizers.Bpe;

namespace PrunePipeline.Tokenizers;

/// <summary>
/// A Hugging Face <c>tokenizer.json</c> with a BPE model (LLaMA style): normalizer Prepend "▁" + Replace " " → "▁"
/// (or a Metaspace pre-tokenizer without splitting), the whole text as one word, code points with byte fallback
/// (&lt;0xHH&gt; pieces), then repeatedly merge the adjacent pair with the lowest merge rank (leftmost on ties).
/// Added tokens written literally in the text are NOT split out (our data never contains them).
/// </summary>
public sealed class HfBpeTokenizer : ITokenizer
{
    private readonly Dictionary<int, int> codePoints = new();
    private readonly int[] byteIds = new int[256];
    private readonly PairMerger merger;
    private readonly PieceDecoder decoder;
    private readonly string? prepend;
    private readonly (string From, string To)[] replacements;
    private readonly bool byteFallback;
    private readonly int unkId;

    private HfBpeTokenizer(string path, JsonElement root)
    {
        var model = Property(root, "model", path);
        var type = model.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type != "BPE") throw new UnsupportedInputException($"{path}: model.type is '{type}'; only BPE is supported");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in Property(model, "vocab", path).EnumerateObject()) vocab[p.Name] = p.Value.GetInt32();
        var size = vocab.Count == 0 ? 0 : vocab.Values.Max() + 1;
        var pieces = new string[size];
        foreach (var (piece, id) in vocab)
        {
            if (id < 0) throw new InvalidDataException($"{path}: vocab id {id} of '{piece}' is negative");
            pieces[id] = piece;
        }

        var special = new HashSet<int>();
        if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
            foreach (var a in added.EnumerateArray())
            {
                var id = a.GetProperty("id").GetInt32();
                var content = a.GetProperty("content").GetString() ?? "";
                if (id >= pieces.Length) Array.Resize(ref pieces, id + 1);
                pieces[id] ??= content;
                if (!a.TryGetProperty("special", out var sp) || sp.GetBoolean()) special.Add(id);
            }

        for (var i = 0; i < pieces.Length; i++)
            if (pieces[i] == null) throw new InvalidDataException($"{path}: no vocabulary entry for id {i}");
        VocabSize = pieces.Length;
        BosId = IdOf(pieces, "<s>", path);
        EosId = IdOf(pieces, "</s>", path);
        byteFallback = model.TryGetProperty("byte_fallback", out var bf) && bf.ValueKind == JsonValueKind.True;
        var unk = model.TryGetProperty("unk_token", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
        unkId = unk != null && vocab.TryGetValue(unk, out var uid) ? uid : -1;

        Array.Fill(byteIds, -1);
        var decodeBytes = new byte[pieces.Length][];
        for (var id = 0; id < pieces.Length; id++)
        {
            var b = PieceStrings.ByteFallbackValue(pieces[id]);
            if (b >= 0 && byteIds[b] < 0) byteIds[b] = id;
            decodeBytes[id] = special.Contains(id) ? [] : b >= 0 ? [(byte)b] : Encoding.UTF8.GetBytes(pieces[id].Replace('\u2581', ' '));
            var runes = pieces[id].EnumerateRunes().GetEnumerator();
            if (!special.Contains(id) && runes.MoveNext() && runes.Current.Utf16SequenceLength == pieces[id].Length)
                codePoints.TryAdd(runes.Current.Value, id);
        }

        var pairs = new Dictionary<long, PairMerger.Merge>();
        var rank = 0;
        foreach (var m in Property(model, "merges", path).EnumerateArray())
        {
            string left, right;
            if (m.ValueKind == JsonValueKind.Array && m.GetArrayLength() == 2)
            {
                left = m[0].GetString() ?? "";
                right = m[1].GetString() ?? "";
            }
            else
            {
                var s = m.GetString() ?? "";
                var space = s.IndexOf(' ');
                if (space < 0) throw new InvalidDataException($"{path}: merge {rank} '{s}' is not 'left right'");
                left = s[..space];
                right = s[(space + 1)..];
            }

            if (!vocab.TryGetValue(left, out var a) || !vocab.TryGetValue(right, out var c) || !vocab.TryGetValue(left + right, out var merged))
                throw new InvalidDataException($"{path}: merge {rank} ('{left}', '{right}') uses a piece missing from the vocab");
            pairs.TryAdd(PairMerger.Key(a, c), new PairMerger.Merge(merged, -rank));
            rank++;
        }

        merger = new PairMerger(pairs);
        decoder = new PieceDecoder(decodeBytes, BosId);
        (prepend, replacements) = ReadNormalization(root, path);
    }

    public int VocabSize { get; }

    public int BosId { get; }

    public int EosId { get; }

    /// <summary>Reads a SentencePiece-style <c>tokenizer.json</c>.</summary>
    public static HfBpeTokenizer Load(string path) =>
        TokenizerFiles.LoadTokenizerJson(path) as HfBpeTokenizer
        ?? throw new NotSupportedException($"{path}: a byte-level BPE tokenizer.json; load it with {nameof(TokenizerFiles)}.{nameof(TokenizerFiles.Load)}");

    internal static HfBpeTokenizer Load(string path, JsonElement root) => new(path, root);

    public int[] Encode(string text, bool addBos)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text;
        if (s.Length > 0 && prepend != null) s = prepend + s;
        foreach (var (from, to) in replacements) s = s.Replace(from, to, StringComparison.Ordinal);
        var tokens = new int[Encoding.UTF8.GetByteCount(s) + 1];
        var n = 0;
        if (addBos) tokens[n++] = BosId;
        var start = n;
        Span<byte> buf = stackalloc byte[4];
        foreach (var rune in s.EnumerateRunes())
        {
            if (codePoints.TryGetValue(rune.Value, out var id))
            {
                tokens[n++] = id;
                continue;
            }
            var len = rune.EncodeToUtf8(buf);
            var all = byteFallback;
            for (var k = 0; k < len && all; k++) all = byteIds[buf[k]] >= 0;
            if (all)
                for (var k = 0; k < len; k++) tokens[n++] = byteIds[buf[k]];
            else if (unkId >= 0)
                tokens[n++] = unkId;
            else
                throw new InvalidDataException($"character U+{rune.Value:X4} is not in the vocabulary and there is no byte fallback or unk token");
        }

        var merged = merger.Apply(tokens[start..n], n - start);
        return addBos ? [BosId, .. merged] : merged;
    }

    public string Decode(ReadOnlySpan<int> ids) => decoder.Decode(ids);

    private static (string? Prepend, (string, string)[] Replacements) ReadNormalization(JsonElement root, string path)
    {
        string? prepend = null;
        var replacements = new List<(string, string)>();
        void Normalizer(JsonElement n)
        {
            if (n.ValueKind == JsonValueKind.Null) return;
            var type = n.GetProperty("type").GetString();
            switch (type)
            {
                case "Sequence":
                    foreach (var x in n.GetProperty("normalizers").EnumerateArray()) Normalizer(x);
                    break;
                case "Prepend":
                    if (replacements.Count > 0) throw new UnsupportedInputException($"{path}: Prepend after Replace is not supported");
                    prepend = n.GetProperty("prepend").GetString();
                    break;
                case "Replace":
                    var from = n.GetProperty("pattern").TryGetProperty("String", out var f) ? f.GetString() : null;
                    if (from == null) throw new UnsupportedInputException($"{path}: only string Replace patterns are supported");
                    replacements.Add((from, n.GetProperty("content").GetString() ?? ""));
                    break;
                default:
                    throw new UnsupportedInputException($"{path}: normalizer '{type}' is not supported (LLaMA-style Prepend/Replace only)");
            }
        }

        if (root.TryGetProperty("normalizer", out var norm)) Normalizer(norm);
        if (root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind != JsonValueKind.Null)
        {
            var type = pre.GetProperty("type").GetString();
            var split = pre.TryGetProperty("split", out var sp) && sp.ValueKind == JsonValueKind.True;
            if (type != "Metaspace" || split)
                throw new UnsupportedInputException($"{path}: pre_tokenizer '{type}'{(split ? " with split" : "")} is not supported (LLaMA-style tokenizers have none, or Metaspace without split)");
            var replacement = pre.GetProperty("replacement").GetString() ?? "\u2581";
            var scheme = pre.TryGetProperty("prepend_scheme", out var ps) ? ps.GetString()
                : pre.TryGetProperty("add_prefix_space", out var aps) && aps.ValueKind == JsonValueKind.True ? "always" : "never";
            replacements.Add((" ", replacement));
            if (scheme != "never") prepend = " ";
        }

        return (prepend, replacements.ToArray());
    }

    private static JsonElement Property(JsonElement e, string name, string path) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v
            : throw new InvalidDataException($"{path}: missing '{name}'");

    private static int IdOf(string[] pieces, string piece, string path)
    {
        var id = Array.IndexOf(pieces, piece);
        return id >= 0 ? id : throw new InvalidDataException($"{path}: no '{piece}' token in the vocabulary or added_tokens");
    }
}
