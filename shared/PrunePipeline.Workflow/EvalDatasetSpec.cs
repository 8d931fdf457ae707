namespace PrunePipeline.Workflow;

/// <summary>An evaluation data set to load: its convention name (wikitext2, c4, tinystories) and file.</summary>
public sealed record EvalDatasetSpec(string Name, string Path);
