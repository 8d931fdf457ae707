using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Tokenizers;
using PrunePipeline.Workflow.Calibration;

namespace PrunePipeline.Training;

/// <summary>
/// Training text that is never evaluated on: documents of a calibration file, optionally only a range of them
/// (<c>--calib-stories 500-999</c>) and without any document whose text also occurs in an evaluation file
/// (<c>--exclude-docs</c>, e.g. the C4 first-1025-documents eval file: 57 of c4_validation_2k's documents are in it).
/// </summary>
public static class TrainingText
{
    /// <summary>The selected documents and how many were excluded as shared with the evaluation file.</summary>
    public static (List<string> Documents, int Excluded) Read(string path, StoryRange? range, string? excludeDocsPath)
    {
        var docs = CalibrationText.ReadDocuments(path);
        if (range is not null) docs = range.Select(docs, path);
        var excluded = 0;
        if (excludeDocsPath is not null)
        {
            var eval = ReadTexts(excludeDocsPath).Select(Normalize).ToHashSet(StringComparer.Ordinal);
            var kept = docs.Where(d => !eval.Contains(Normalize(d))).ToList();
            excluded = docs.Count - kept.Count;
            docs = kept;
        }
        if (docs.Count == 0) throw new InvalidDataException($"{path}: no training documents left after the selection.");
        return (docs, excluded);
    }

    /// <summary>
    /// Packed training sequences (algorithm.md §8 "packed": shuffled with the seed, BOS per document, EOS between)
    /// grouped into batches of <paramref name="batchSize"/>: as many distinct sequences as <paramref name="steps"/> ×
    /// batch, or as many as the text holds (the trainer then cycles over them: more than one epoch).
    /// </summary>
    public static List<long[,]> Batches(IReadOnlyList<string> docs, ITokenizer tok, int steps, int batchSize, int seqLen, int seed)
    {
        if (batchSize < 1) throw new ArgumentException($"batch size must be ≥ 1, got {batchSize}.");
        var want = (int)Math.Min((long)steps * batchSize, int.MaxValue);
        int[][] seqs;
        try
        {
            seqs = CalibrationSampler.Packed(docs, tok, want, seqLen, seed);
        }
        catch (InvalidDataException)
        {
            long tokens = docs.Sum(d => (long)tok.Encode(d, addBos: true).Length + 1);
            var fit = (int)Math.Min(tokens / seqLen, want);
            if (fit < batchSize) throw new InvalidDataException($"training text holds {tokens} tokens, fewer than one batch of {batchSize} × {seqLen}.");
            seqs = CalibrationSampler.Packed(docs, tok, fit, seqLen, seed);
        }
        var batches = new List<long[,]>();
        for (var b = 0; b + batchSize <= seqs.Length; b += batchSize)
        {
            var ids = new long[batchSize, seqLen];
            for (var i = 0; i < batchSize; i++)
                for (var t = 0; t < seqLen; t++) ids[i, t] = seqs[b + i][t];
            batches.Add(ids);
        }
        return batches;
    }

    private static IEnumerable<string> ReadTexts(string path) =>
        path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) ? CalibrationText.ReadDocuments(path) : JsonLinesText.ReadTexts(path);

    // Shared documents are the same text; trailing whitespace and line-end style are not content.
    private static string Normalize(string s) => s.Replace("\r\n", "\n").Trim();
}
