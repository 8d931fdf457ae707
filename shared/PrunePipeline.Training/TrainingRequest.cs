using PrunePipeline.Tensors;
using PrunePipeline.Workflow;

namespace PrunePipeline.Training;

/// <summary>What a ProxSparse run or a finetuning run needs besides its method options.</summary>
/// <param name="ModelDir">ProxSparse: the dense model. Finetuning: the pruned model (with masks.safetensors).</param>
/// <param name="DenseModelDir">Finetuning: the dense teacher (and "before pruning" reference); ProxSparse: unused.</param>
/// <param name="OutDir">Written atomically (OUTDIR.tmp, then renamed); never the same as an input.</param>
/// <param name="EvalStories">TinyStories evaluation restricted to these stories (recorded with the perplexity).</param>
/// <param name="Checkpointing">Recompute each block in backward (memory ≈ one block's activations).</param>
public sealed record TrainingRequest(
    string ModelDir,
    string? DenseModelDir,
    string OutDir,
    TrainingData Data,
    IReadOnlyList<EvalDatasetSpec> Eval,
    StoryRange? EvalStories = null,
    int? EvalSeqLen = null,
    bool Force = false,
    bool EvaluateDense = true,
    ComputeTarget? Target = null,
    bool Checkpointing = true);
