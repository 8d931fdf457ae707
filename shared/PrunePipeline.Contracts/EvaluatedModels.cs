namespace PrunePipeline.Contracts;

/// <summary>The wire values of <see cref="EvaluateModel.Model"/> / <see cref="ModelEvaluated.Model"/>: which model a
/// perplexity belongs to (report.json's "before" and "after").</summary>
public static class EvaluatedModels
{
    /// <summary>The source (dense) model, evaluated at run start in parallel with calibration.</summary>
    public const string Dense = "dense";

    /// <summary>The assembled pruned model.</summary>
    public const string Pruned = "pruned";
}
