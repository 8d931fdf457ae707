using System.Text;

namespace PrunePipeline.Tokenizers.Bpe;

/// <summary>
/// Ids → text for every tokenizer here: BOS/EOS (and other control pieces) vanish, byte-fallback pieces contribute their
/// raw byte, the rest their UTF-8 bytes; the bytes are decoded as UTF-8 once at the end, so a character split into byte
/// pieces comes back whole. The leading space of the first piece of the sequence, and of the piece after a BOS, is the
/// dummy prefix and is dropped, as SentencePiece does.
/// </summary>
internal sealed class PieceDecoder
{
    private readonly byte[][] bytes;
    private readonly int bosId;

    /// <param name="bytes">Per id: the bytes it decodes to (spaces already real spaces, control pieces empty).</param>
    public PieceDecoder(byte[][] bytes, int bosId)
    {
        this.bytes = bytes;
        this.bosId = bosId;
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var buffer = new List<byte>(ids.Length * 4);
        var atStart = true;
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)bytes.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the vocabulary (size {bytes.Length})");
            if (id == bosId)
            {
                atStart = true;
                continue;
            }

            var piece = bytes[id];
            if (piece.Length == 0) continue;
            var from = atStart && piece[0] == (byte)' ' ? 1 : 0;
            atStart = false;
            for (var i = from; i < piece.Length; i++) buffer.Add(piece[i]);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
