namespace PrunePipeline.Workflow.Reports;

/// <summary>Perplexity of one evaluation data set before and after pruning, with its convention (algorithm.md §9).</summary>
public sealed record DatasetReport(
    string Dataset,
    string Path,
    int SeqLen,
    string Convention,
    int Sequences,
    long PredictedTokens,
    double? PerplexityBefore,
    double PerplexityAfter);
