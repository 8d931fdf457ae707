namespace PrunePipeline.Evaluation;

/// <summary>One perplexity with the convention it was measured under (algorithm.md §9).</summary>
/// <param name="Dataset">wikitext2, c4 or tinystories.</param>
/// <param name="Convention">The data convention in words.</param>
/// <param name="SeqLen">Window / cut length in tokens.</param>
/// <param name="Tokens">Next-token predictions scored.</param>
/// <param name="Windows">Sequences (windows or stories) scored.</param>
/// <param name="Ppl">The perplexity.</param>
public sealed record PerplexityResult(string Dataset, string Convention, int SeqLen, long Tokens, int Windows, double Ppl);
