namespace PrunePipeline.Workflow;

/// <summary>One perplexity with what it takes to interpret it (algorithm.md §9).</summary>
public sealed record DatasetPerplexity(string Dataset, int SeqLen, string Convention, int Sequences, long PredictedTokens, double Perplexity);
