namespace PrunePipeline.Evaluation.Datasets;

/// <summary>
/// A perplexity data set, tokenized and cut according to its convention (algorithm.md §9). Each sequence is scored
/// on its own; a sequence of length L contributes L−1 predictions.
/// </summary>
/// <param name="Dataset">Short name: wikitext2, c4, tinystories.</param>
/// <param name="Convention">The convention in words, recorded next to every number (e.g. "hf-wikitext-2-raw-v1 test, joined \n\n, one BOS, non-overlapping windows").</param>
/// <param name="SeqLen">Window length / cut length in tokens.</param>
/// <param name="Sequences">Token ids per window or story.</param>
/// <param name="Aggregation">How losses combine into one perplexity.</param>
/// <param name="TotalTokens">Tokens of the whole tokenized text before cutting (wikitext2, c4) or the sum over stories.</param>
public sealed record EvalSequences(
    string Dataset,
    string Convention,
    int SeqLen,
    IReadOnlyList<int[]> Sequences,
    LossAggregation Aggregation,
    long TotalTokens)
{
    /// <summary>Number of next-token predictions that are scored.</summary>
    public long PredictedTokens => Sequences.Sum(s => (long)Math.Max(0, s.Length - 1));
}
