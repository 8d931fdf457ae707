namespace PrunePipeline.Contracts;

/// <summary>One perplexity with what is needed to compare it (algorithm.md §9: always report seqlen and convention).</summary>
/// <param name="Dataset">Dataset name, e.g. "wikitext2".</param>
/// <param name="Perplexity">exp(mean NLL).</param>
/// <param name="SeqLen">Window length.</param>
/// <param name="Convention">The §9 convention used, e.g. "wikitext2-joined-windows".</param>
/// <param name="Tokens">Number of predicted tokens.</param>
/// <param name="Sequences">Number of evaluated windows/sequences.</param>
public sealed record DatasetPerplexity(string Dataset, double Perplexity, int SeqLen, string Convention, long Tokens, int Sequences);
