namespace PrunePipeline.Evaluation.Datasets;

/// <summary>How per-token losses become one perplexity (algorithm.md §9).</summary>
public enum LossAggregation
{
    /// <summary>WikiText-2 / C4: each window's loss is the mean NLL of its seqlen−1 predictions; PPL = exp(mean of window losses).</summary>
    MeanOfWindowLosses,

    /// <summary>TinyStories: PPL = exp(total NLL ÷ total predicted tokens) over all sequences.</summary>
    TokenWeighted,
}
