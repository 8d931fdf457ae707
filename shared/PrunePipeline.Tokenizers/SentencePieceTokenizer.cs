using System.Text;
using PrunePipeline.Tokenizers.Bpe;
using PrunePipeline.Tokenizers.SentencePiece;
using PrunePipeline.Errors;

namespace PrunePipeline.Tokenizers;

/// <summary>
/// SentencePiece BPE from a <c>tokenizer.model</c> (ModelProto parsed here, no package). Normalization honours the
/// proto's normalizer_spec: remove_extra_whitespaces (trim and collapse spaces; LLaMA-2 has it off),
/// add_dummy_prefix (a leading space for non-empty text), escape_whitespaces (" " → "▁"); only the identity rule
/// (no precompiled charsmap) is supported. Then code points (user-defined pieces matched whole), repeated merge of the
/// adjacent pair whose concatenation is a NORMAL/USER_DEFINED piece with the highest score (leftmost on ties), and byte
/// fallback (&lt;0xHH&gt; pieces) for characters outside the vocabulary.
/// </summary>
public sealed class SentencePieceTokenizer : ITokenizer
{
    private readonly SentencePieceModel model;
    private readonly Dictionary<int, int> codePoints = new();
    private readonly int[] byteIds = new int[256];
    private readonly string[] userDefined;
    private readonly Dictionary<string, int> userDefinedIds = new(StringComparer.Ordinal);
    private readonly PairMerger merger;
    private readonly PieceDecoder decoder;

    public SentencePieceTokenizer(SentencePieceModel model, string where = "SentencePiece model")
    {
        this.model = model;
        if (model.ModelType != SentencePieceModel.Bpe)
            throw new UnsupportedInputException($"{where}: model_type {model.ModelType} ({(model.ModelType == 1 ? "UNIGRAM" : "not BPE")}) is not supported; only BPE (2)");
        if (model.PrecompiledCharsmapLength > 0)
            throw new UnsupportedInputException($"{where}: normalizer '{model.NormalizerName}' uses a precompiled charsmap; only the identity normalizer is supported");
        if (model.TreatWhitespaceAsSuffix)
            throw new UnsupportedInputException($"{where}: treat_whitespace_as_suffix is not supported");
        var n = model.Pieces.Count;
        foreach (var (what, id) in new[] { ("unk_id", model.UnkId), ("bos_id", model.BosId), ("eos_id", model.EosId) })
            if (id < 0 || id >= n) throw new InvalidDataException($"{where}: {what} = {id} is outside the {n} pieces");

        var lookup = new Dictionary<string, int>(StringComparer.Ordinal);
        var latin = new string[n];
        Array.Fill(byteIds, -1);
        var decodeBytes = new byte[n][];
        for (var id = 0; id < n; id++)
        {
            var type = model.Types[id];
            var utf8 = Encoding.UTF8.GetBytes(model.Pieces[id]);
            latin[id] = PieceStrings.FromBytes(utf8);
            // Merges and character lookup only see NORMAL / USER_DEFINED pieces (SentencePiece's pieces_ map); control,
            // unknown and byte pieces are reachable only by id.
            if (type is PieceType.Normal or PieceType.UserDefined)
            {
                lookup.TryAdd(latin[id], id);
                var runes = model.Pieces[id].EnumerateRunes().GetEnumerator();
                if (runes.MoveNext() && runes.Current.Utf16SequenceLength == model.Pieces[id].Length) codePoints.TryAdd(runes.Current.Value, id);
            }

            var b = PieceStrings.ByteFallbackValue(model.Pieces[id]);
            if (type == PieceType.Byte && b >= 0) byteIds[b] = id;
            decodeBytes[id] = type switch
            {
                PieceType.Byte when b >= 0 => [(byte)b],
                PieceType.Control or PieceType.Unused => [],
                PieceType.Unknown => Encoding.UTF8.GetBytes(" \u2047 "),
                _ => Encoding.UTF8.GetBytes(model.Pieces[id].Replace('\u2581', ' ')),
            };
        }

        if (model.ByteFallback && byteIds.Any(id => id < 0))
            throw new InvalidDataException($"{where}: byte_fallback is on but byte piece <0x{Array.IndexOf(byteIds, -1):X2}> is missing");
        for (var id = 0; id < n; id++)
            if (model.Types[id] == PieceType.UserDefined && model.Pieces[id].Length > 0) userDefinedIds.TryAdd(model.Pieces[id], id);
        userDefined = userDefinedIds.Keys.OrderByDescending(p => p.Length).ToArray();
        merger = new PairMerger(PieceStrings.PairsFromPieces(latin, lookup, _ => true, id => model.Scores[id]));
        decoder = new PieceDecoder(decodeBytes, model.BosId);
    }

    public SentencePieceModel Model => model;

    public int VocabSize => model.Pieces.Count;

    public int BosId => model.BosId;

    public int EosId => model.EosId;

    /// <summary>Reads and parses a <c>tokenizer.model</c> file.</summary>
    public static SentencePieceTokenizer Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"SentencePiece model not found: {path}", path);
        return new SentencePieceTokenizer(SentencePieceModel.Parse(File.ReadAllBytes(path), path), path);
    }

    public int[] Encode(string text, bool addBos)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = Normalize(text);
        var tokens = new int[Encoding.UTF8.GetByteCount(normalized) + 1];
        var n = 0;
        Span<byte> buf = stackalloc byte[4];
        for (var i = 0; i < normalized.Length;)
        {
            var user = MatchUserDefined(normalized, i);
            if (user != null)
            {
                tokens[n++] = userDefinedIds[user];
                i += user.Length;
                continue;
            }

            Rune.DecodeFromUtf16(normalized.AsSpan(i), out var rune, out var used);
            i += used;
            if (codePoints.TryGetValue(rune.Value, out var id))
            {
                tokens[n++] = id;
            }
            else if (model.ByteFallback)
            {
                var len = rune.EncodeToUtf8(buf);
                for (var k = 0; k < len; k++) tokens[n++] = byteIds[buf[k]];
            }
            else
            {
                tokens[n++] = model.UnkId;
            }
        }

        var merged = merger.Apply(tokens, n);
        return addBos ? [BosId, .. merged] : merged;
    }

    public string Decode(ReadOnlySpan<int> ids) => decoder.Decode(ids);

    public string Piece(int id) => model.Pieces[id];

    private string Normalize(string text)
    {
        var s = text;
        if (model.RemoveExtraWhitespaces)
        {
            var sb = new StringBuilder(s.Length);
            foreach (var c in s.Trim(' '))
                if (c != ' ' || sb.Length == 0 || sb[^1] != ' ') sb.Append(c);
            s = sb.ToString();
        }

        if (s.Length == 0) return s;
        if (model.AddDummyPrefix) s = " " + s;
        return model.EscapeWhitespaces ? s.Replace(' ', '\u2581') : s;
    }

    private string? MatchUserDefined(string s, int at)
    {
        foreach (var p in userDefined)
            if (at + p.Length <= s.Length && string.CompareOrdinal(s, at, p, 0, p.Length) == 0) return p;
        return null;
    }
}
