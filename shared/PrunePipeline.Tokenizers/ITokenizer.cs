namespace PrunePipeline.Tokenizers;

/// <summary>A LLaMA-style tokenizer: BOS/EOS ids, SentencePiece dummy-prefix convention, byte fallback.</summary>
public interface ITokenizer
{
    int VocabSize { get; }

    /// <summary>The BOS id; -1 when the model has none (then <see cref="Encode"/> never adds one).</summary>
    int BosId { get; }

    int EosId { get; }

    /// <summary>
    /// Token ids of <paramref name="text"/>: optionally BOS, then the dummy-prefix space (only for non-empty text),
    /// then the pieces. Matches llama2.c / SentencePiece encoding of LLaMA-2.
    /// </summary>
    int[] Encode(string text, bool addBos);

    /// <summary>Text of a sequence of ids (special tokens dropped, byte pieces reassembled into UTF-8).</summary>
    string Decode(ReadOnlySpan<int> ids);

    /// <summary>How <paramref name="id"/> is shown to a user (its vocabulary piece where the tokenizer has one).</summary>
    string Piece(int id) => Decode([id]);
}
