using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Workflow;

/// <summary>What <see cref="WholeModelPruner"/> did, layer by layer.</summary>
public sealed record WholeModelResult(IReadOnlyList<LayerReport> Layers, double CalibrationSeconds, double PruneSeconds);
