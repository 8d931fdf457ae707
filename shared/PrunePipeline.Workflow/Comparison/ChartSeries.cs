namespace PrunePipeline.Workflow.Comparison;

/// <summary>One line of a chart: a name, a colour, a dash pattern (null = solid) and y per x index (NaN = missing).</summary>
public sealed record ChartSeries(string Name, string Color, string? Dash, IReadOnlyList<double> Values);
