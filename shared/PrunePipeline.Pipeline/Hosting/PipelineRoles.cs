namespace PrunePipeline.Pipeline.Hosting;

/// <summary>Which consumers a process hosts. The embedded pipeline hosts <see cref="All"/>; each service one role
/// (the calibrator also hosts the coordinator); CLI clients that only publish or read host <see cref="None"/>.</summary>
[Flags]
public enum PipelineRoles
{
    None = 0,
    Calibrator = 1,
    Pruner = 2,
    Finetuner = 4,
    Evaluator = 8,
    Coordinator = 16,
    All = Calibrator | Pruner | Finetuner | Evaluator | Coordinator,
}
