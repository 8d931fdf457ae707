namespace PrunePipeline.Pruning;

/// <summary>How the Matrix Prox Pruner grows λ.</summary>
public enum ProxSchedule
{
    /// <summary>The paper's schedule (algorithm.md §4): λ_k = λ0·β^k, every row iterated until all groups are 2:4.</summary>
    Paper,
}
