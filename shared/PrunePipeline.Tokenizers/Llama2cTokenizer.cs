using System.Text;
using PrunePipeline.Tokenizers.Bpe;

namespace PrunePipeline.Tokenizers;

/// <summary>
/// The llama2.c tokenizer (<c>tokenizer.bin</c>: int32 max_token_length, then per id float32 score, int32 length,
/// bytes). Encoding is llama2.c's: optional BOS, the token of " " (dummy prefix) when the text is not empty, each
/// UTF-8 code point looked up in the vocabulary with byte fallback (byte + 3), then repeatedly merge the adjacent pair
/// whose concatenation has the highest score, leftmost on ties (the BOS takes part, as in llama2.c).
/// </summary>
public sealed class Llama2cTokenizer : ITokenizer
{
    private readonly Dictionary<string, int> lookup = new(StringComparer.Ordinal);
    private readonly Dictionary<int, int> codePoints = new();
    private readonly PairMerger merger;
    private readonly PieceDecoder decoder;

    /// <summary>Creates a tokenizer from pieces (raw bytes; spaces are real spaces) and their scores.</summary>
    public Llama2cTokenizer(IReadOnlyList<byte[]> pieces, IReadOnlyList<float> scores, int maxTokenLength = 0)
    {
        if (pieces.Count != scores.Count) throw new ArgumentException($"{pieces.Count} pieces but {scores.Count} scores");
        if (pieces.Count < 259) throw new ArgumentException($"a llama2.c vocabulary needs at least 259 pieces (<unk>, BOS, EOS, 256 bytes); got {pieces.Count}");
        Pieces = pieces.Select(p => PieceStrings.FromBytes(p)).ToArray();
        Scores = scores.ToArray();
        MaxTokenLength = maxTokenLength;
        for (var id = 0; id < Pieces.Count; id++)
        {
            lookup.TryAdd(Pieces[id], id);
            if (TrySingleCodePoint(pieces[id], out var cp)) codePoints.TryAdd(cp, id);
        }

        merger = new PairMerger(PieceStrings.PairsFromPieces(Pieces, lookup, _ => true, id => Scores[id]));
        var decodeBytes = new byte[Pieces.Count][];
        for (var id = 0; id < Pieces.Count; id++)
        {
            var b = PieceStrings.ByteFallbackValue(Pieces[id]);
            decodeBytes[id] = id == BosId || id == EosId ? [] : b >= 0 && id == b + 3 ? [(byte)b] : pieces[id];
        }

        decoder = new PieceDecoder(decodeBytes, BosId);
    }

    public int VocabSize => Pieces.Count;

    public int BosId => 1;

    public int EosId => 2;

    public int MaxTokenLength { get; }

    /// <summary>Pieces as byte strings (one char per byte), as stored in the file.</summary>
    internal IReadOnlyList<string> Pieces { get; }

    internal IReadOnlyList<float> Scores { get; }

    /// <summary>Reads a llama2.c <c>tokenizer.bin</c>; the vocabulary size is the number of records in the file.</summary>
    public static Llama2cTokenizer Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"llama2.c tokenizer file not found: {path}", path);
        var data = File.ReadAllBytes(path);
        var pieces = new List<byte[]>();
        var scores = new List<float>();
        var pos = 4;
        if (data.Length < 4) throw new InvalidDataException($"{path}: too short for a llama2.c tokenizer ({data.Length} bytes)");
        var maxLen = BitConverter.ToInt32(data, 0);
        if (maxLen <= 0 || maxLen > 1 << 16) throw new InvalidDataException($"{path}: max_token_length {maxLen} is not plausible; not a llama2.c tokenizer.bin?");
        while (pos < data.Length)
        {
            if (pos + 8 > data.Length) throw new InvalidDataException($"{path}: truncated record for id {pieces.Count} at byte {pos}");
            var score = BitConverter.ToSingle(data, pos);
            var len = BitConverter.ToInt32(data, pos + 4);
            pos += 8;
            if (len < 0 || len > maxLen || pos + len > data.Length)
                throw new InvalidDataException($"{path}: id {pieces.Count} has length {len} (max_token_length {maxLen}, {data.Length - pos} bytes left)");
            pieces.Add(data.AsSpan(pos, len).ToArray());
            scores.Add(score);
            pos += len;
        }

        return new Llama2cTokenizer(pieces, scores, maxLen);
    }

    public int[] Encode(string text, bool addBos)
    {
        ArgumentNullException.ThrowIfNull(text);
        var utf8 = Encoding.UTF8.GetBytes(text);
        var tokens = new int[utf8.Length + 2];
        var n = 0;
        if (addBos) tokens[n++] = BosId;
        if (text.Length > 0)
        {
            if (!lookup.TryGetValue(" ", out var space)) throw new InvalidDataException("the vocabulary has no \" \" piece for the dummy prefix");
            tokens[n++] = space;
        }

        Span<byte> buf = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            if (codePoints.TryGetValue(rune.Value, out var id))
            {
                tokens[n++] = id;
                continue;
            }
            var len = rune.EncodeToUtf8(buf);
            for (var i = 0; i < len; i++) tokens[n++] = buf[i] + 3;
        }

        return merger.Apply(tokens, n);
    }

    public string Decode(ReadOnlySpan<int> ids) => decoder.Decode(ids);

    private static bool TrySingleCodePoint(byte[] bytes, out int codePoint)
    {
        codePoint = 0;
        if (bytes.Length == 0 || Rune.DecodeFromUtf8(bytes, out var rune, out var used) != System.Buffers.OperationStatus.Done || used != bytes.Length)
            return false;
        codePoint = rune.Value;
        return true;
    }
}
