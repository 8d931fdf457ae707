namespace PrunePipeline.Contracts;

/// <summary>How calibration samples are drawn (algorithm.md §8). Same fields as the workflow's report record.</summary>
/// <param name="DatasetPath">The calibration text (JSON lines, optionally .gz), as the workers see it.</param>
/// <param name="Sampler">"packed" or "random-window" (see <see cref="Samplers"/>).</param>
/// <param name="NSamples">Number of sequences.</param>
/// <param name="SeqLen">Tokens per sequence.</param>
/// <param name="Seed">Seed of the sampler.</param>
/// <param name="TextColumn">The Parquet column / JSON-lines field holding the documents.</param>
public sealed record CalibrationSettings(string DatasetPath, string Sampler, int NSamples, int SeqLen, int Seed, string TextColumn = "text");
