namespace PrunePipeline.Contracts;

/// <summary>How calibration samples are drawn (algorithm.md §8): carried by the pipeline's messages, used by the
/// workflow, recorded in sparsity.json and report.json.</summary>
/// <param name="Path">The calibration text (JSON lines, optionally .gz, or .txt), as the workers see it.</param>
/// <param name="Sampler">"packed" or "random-window" (see <see cref="Samplers"/>).</param>
/// <param name="NSamples">Number of sequences.</param>
/// <param name="SeqLen">Tokens per sequence.</param>
/// <param name="Seed">Seed of the sampler.</param>
/// <param name="TextColumn">The Parquet column / JSON-lines field holding the documents.</param>
public sealed record CalibrationSettings(string Path, string Sampler, int NSamples, int SeqLen, int Seed, string TextColumn = "text")
{
    /// <summary>Calibration tokens N = nsamples × seqlen (the N of H = (1/N) Σ x xᵀ).</summary>
    public long Tokens => (long)NSamples * SeqLen;
}
