using PrunePipeline.Training;

namespace PrunePipeline.Finetuner;

/// <summary>state.json of a finetuning checkpoint, written after weights.bin and optimizer.bin (so its presence means
/// the checkpoint is complete): the step, the length of each matrix in weights.bin, the curve so far.</summary>
public sealed record FinetuneCheckpointManifest(int Step, IReadOnlyList<int> Lengths, IReadOnlyList<TrainingStep> Curve);
