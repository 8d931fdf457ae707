namespace PrunePipeline.Workflow;

/// <summary>An evaluation data set to load: its convention name (wikitext2, c4, tinystories), file, and the Parquet
/// column / JSON-lines field holding its text.</summary>
public sealed record EvalDatasetSpec(string Name, string Path, string TextColumn = "text");
