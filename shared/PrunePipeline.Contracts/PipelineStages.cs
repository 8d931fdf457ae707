namespace PrunePipeline.Contracts;

/// <summary>Stage names used in <see cref="RunFailed.Stage"/>, <see cref="ReplayRequested.FromStage"/> and run summaries.</summary>
public static class PipelineStages
{
    public const string Requested = "requested";
    public const string Calibrate = "calibrate";
    public const string Prune = "prune";
    public const string Refine = "refine";
    public const string Assemble = "assemble";
    public const string Finetune = "finetune";
    public const string Evaluate = "evaluate";
    public const string Completed = "completed";
}
