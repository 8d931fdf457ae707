using System.Text;

namespace PrunePipeline.Tokenizers.Bpe;

/// <summary>
/// Helpers for pieces kept as byte strings. A byte string is held in a .NET string with one char per byte (Latin-1),
/// so concatenation and dictionary lookup are exact at the byte level even for pieces that are not valid UTF-8.
/// </summary>
internal static class PieceStrings
{
    public static string FromBytes(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    public static byte[] ToBytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    /// <summary>Byte value of a "&lt;0xHH&gt;" piece, or -1.</summary>
    public static int ByteFallbackValue(string piece)
    {
        if (piece.Length != 6 || !piece.StartsWith("<0x", StringComparison.Ordinal) || piece[5] != '>') return -1;
        return int.TryParse(piece.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var v) ? v : -1;
    }

    /// <summary>
    /// All pairs (a, b) of vocabulary pieces whose concatenation is a target piece t, with t's priority.
    /// <paramref name="lookup"/> maps a piece string to its id (the halves), <paramref name="isTarget"/> says which ids may
    /// be produced by a merge. Equivalent to looking up the concatenation of every adjacent pair at encode time.
    /// </summary>
    public static Dictionary<long, PairMerger.Merge> PairsFromPieces(
        IReadOnlyList<string> pieces, IReadOnlyDictionary<string, int> lookup, Func<int, bool> isTarget, Func<int, double> priority)
    {
        var pairs = new Dictionary<long, PairMerger.Merge>();
        for (var id = 0; id < pieces.Count; id++)
        {
            if (!isTarget(id) || !lookup.TryGetValue(pieces[id], out var first) || first != id) continue; // a duplicate string resolves to its first id
            var s = pieces[id];
            for (var k = 1; k < s.Length; k++)
            {
                if (lookup.TryGetValue(s[..k], out var a) && lookup.TryGetValue(s[k..], out var b))
                    pairs.TryAdd(PairMerger.Key(a, b), new PairMerger.Merge(id, priority(id)));
            }
        }

        return pairs;
    }
}
