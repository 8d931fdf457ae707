namespace PrunePipeline.Training;

/// <summary>Where a training run's text comes from and how it is cut (recorded in report.json).</summary>
/// <param name="Path">JSON lines with "text" (C4) or a .txt split on &lt;|endoftext|&gt; (TinyStories).</param>
/// <param name="Stories">Only these documents of the file (e.g. 500-999), or all.</param>
/// <param name="ExcludeDocs">Drop documents whose text also occurs in this (evaluation) file.</param>
public sealed record TrainingData(string Path, StoryRange? Stories, string? ExcludeDocs, int SeqLen, int BatchSize = 1, int Seed = 0);
