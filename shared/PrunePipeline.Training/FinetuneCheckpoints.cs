namespace PrunePipeline.Training;

/// <summary>Resumable finetuning: <see cref="Save"/> is called after every <see cref="Every"/>-th step (not after the
/// last one: the finished model is the result), and a run given <see cref="ResumeFrom"/> continues after its step.</summary>
public sealed record FinetuneCheckpoints(int Every, Action<FinetuneState> Save, FinetuneState? ResumeFrom = null);
