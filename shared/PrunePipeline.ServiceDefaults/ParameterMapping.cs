using PrunePipeline.Contracts;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.ServiceDefaults;

/// <summary>Contracts ↔ workflow records, field by field (same names and defaults on both sides).</summary>
public static class ParameterMapping
{
    public static PruneParameters ToWorkflow(this PruneMethodSettings m) =>
        new(m.Method, m.Refine, m.RefineSteps, m.Lambda0, m.Beta, m.MaxIters, m.Damping, m.Pattern);

    public static PruneMethodSettings ToContract(this PruneParameters p) =>
        new(p.Method, p.Refine, p.RefineSteps, p.Lambda0, p.Beta, p.MaxIters, p.Damping, p.Pattern);

    public static Workflow.Reports.CalibrationSettings ToWorkflow(this Contracts.CalibrationSettings c) =>
        new(c.DatasetPath, c.Sampler, c.NSamples, c.SeqLen, c.Seed);
}
