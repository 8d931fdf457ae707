namespace PrunePipeline.Workflow.Reports;

/// <summary>
/// sparsity.json of a pruned model directory: everything about the sparsity, kept out of config.json (some inference
/// engines refuse checkpoints that declare it there).
/// </summary>
/// <param name="Pattern">"2:4": at most 2 non-zeros in every group of 4 consecutive input columns of each row.</param>
/// <param name="GroupAxis">"input" — groups run along the input dimension (NVIDIA's layout).</param>
/// <param name="Tensors">Pruned tensors (HF names).</param>
/// <param name="MaskFile">File holding the masks (see <paramref name="MaskEncoding"/>).</param>
/// <param name="MaskEncoding">Format of the masks, in words.</param>
public sealed record SparsityManifest(
    string Format,
    string Pattern,
    string GroupAxis,
    string Method,
    string Refine,
    PruneMode Mode,
    PruneMethodSettings Parameters,
    CalibrationSettings Calibration,
    int Seed,
    IReadOnlyList<string> Tensors,
    string MaskFile,
    string MaskEncoding,
    string SourceModel,
    IReadOnlyDictionary<string, string> Versions)
{
    public const string FormatName = "prunepipeline.sparsity/1";

    public const string MaskEncodingText =
        "safetensors, one U8 tensor per pruned weight with the weight's name and shape [rows, ceil(cols/8)]; " +
        "bit (j mod 8) of byte j/8 (least significant bit first) of row r is 1 when weight (r, j) is kept";
}
