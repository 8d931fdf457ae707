using PrunePipeline.Tokenizers;
using PrunePipeline.Errors;

namespace PrunePipeline.Evaluation.Datasets;

/// <summary>The perplexity data sets of algorithm.md §9, tokenized and cut exactly by their conventions.</summary>
public static class EvalDatasets
{
    /// <summary>C4 reads at most this many documents (SparseGPT/Wanda: valdata[:1100]).</summary>
    public const int C4Documents = 1100;

    /// <summary>C4 uses the first 256·seqlen tokens as 256 windows.</summary>
    public const int C4Windows = 256;

    public static readonly IReadOnlyList<string> Names = ["wikitext2", "c4", "tinystories"];

    /// <summary>
    /// Loads a data set by name: wikitext2 | c4 | tinystories, from its original file or from a Parquet file whose
    /// <paramref name="textColumn"/> holds the rows as Hugging Face publishes them (wikitext: one line per row, keeping
    /// its "\n"; c4 and tinystories: one document per row).
    /// </summary>
    public static EvalSequences Load(string name, string path, ITokenizer tok, int seqLen, string textColumn = TextDocuments.DefaultColumn) => name.ToLowerInvariant() switch
    {
        "wikitext2" => WikiText2(path, tok, seqLen, textColumn),
        "c4" => C4(path, tok, seqLen, textColumn),
        "tinystories" => TinyStories(path, tok, seqLen, textColumn),
        _ => throw new ArgumentException($"unknown dataset '{name}'; expected one of {string.Join(", ", Names)}"),
    };

    /// <summary>
    /// WikiText-2 raw test (HF wikitext-2-raw-v1): rows = lines keeping "\n", whitespace-only rows → "", joined with
    /// "\n\n"; one BOS; non-overlapping windows of <paramref name="seqLen"/>, tail dropped.
    /// </summary>
    public static EvalSequences WikiText2(string path, ITokenizer tok, int seqLen, string textColumn = TextDocuments.DefaultColumn)
    {
        CheckArgs(path, tok, seqLen);
        var parquet = ParquetText.IsParquet(path);
        var text = parquet ? RowsJoined(ParquetText.ReadTexts(path, textColumn).ToList(), out var rows) : WikiTextJoined(StrictUtf8.ReadAllText(path), out rows);
        var ids = tok.Encode(text, addBos: true);
        var windows = Windows(ids, seqLen, int.MaxValue);
        if (windows.Count == 0) throw new InvalidDataException($"{path}: {ids.Length} tokens, fewer than one window of {seqLen}");
        var source = parquet ? $"Parquet column '{textColumn}'" : "HF rows";
        var convention = $"wikitext-2-raw-v1 test ({source}: {rows} lines keeping \\n, blank → \"\", joined \"\\n\\n\", {text.Length} chars), "
            + $"one BOS, {ids.Length} tokens, {windows.Count} non-overlapping windows of {seqLen}, tail dropped; PPL = exp(mean window loss)";
        return new EvalSequences("wikitext2", convention, seqLen, windows, LossAggregation.MeanOfWindowLosses, ids.Length);
    }

    /// <summary>
    /// C4 validation (c4_new): the first 1100 documents (as many as the file has) joined with one space, one BOS, the
    /// first 256·seqlen tokens as 256 windows (fewer full windows if the text is shorter, said in the convention).
    /// </summary>
    public static EvalSequences C4(string path, ITokenizer tok, int seqLen, string textColumn = TextDocuments.DefaultColumn)
    {
        CheckArgs(path, tok, seqLen);
        var docs = TextDocuments.Read(path, textColumn).Take(C4Documents).ToList();
        var ids = tok.Encode(string.Join(" ", docs), addBos: true);
        var windows = Windows(ids, seqLen, C4Windows);
        if (windows.Count == 0) throw new InvalidDataException($"{path}: {ids.Length} tokens, fewer than one window of {seqLen}");
        var shortNote = windows.Count < C4Windows ? $" (only {windows.Count} full windows fit, fewer than {C4Windows})" : "";
        var convention = $"c4 validation: first {docs.Count} of up to {C4Documents} documents joined with \" \", one BOS, {ids.Length} tokens, "
            + $"first {windows.Count}×{seqLen} tokens as {windows.Count} windows{shortNote}; PPL = exp(mean window loss)";
        return new EvalSequences("c4", convention, seqLen, windows, LossAggregation.MeanOfWindowLosses, ids.Length);
    }

    /// <summary>
    /// TinyStories: split on &lt;|endoftext|&gt;, strip, drop empty stories; each story = BOS + story, cut to seqlen,
    /// scored alone; PPL = exp(total NLL ÷ total predicted tokens). TotalTokens = sum of the uncut story lengths.
    /// </summary>
    public static EvalSequences TinyStories(string path, ITokenizer tok, int seqLen, string textColumn = TextDocuments.DefaultColumn)
    {
        CheckArgs(path, tok, seqLen);
        var raw = ParquetText.IsParquet(path) ? ParquetText.ReadTexts(path, textColumn) : StrictUtf8.ReadAllText(path).Split("<|endoftext|>");
        var stories = raw.Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        if (stories.Count == 0) throw new InvalidDataException($"{path}: no stories (expected texts separated by <|endoftext|>)");
        var sequences = new List<int[]>(stories.Count);
        long total = 0;
        foreach (var story in stories)
        {
            var ids = tok.Encode(story, addBos: true);
            total += ids.Length;
            sequences.Add(ids.Length > seqLen ? ids[..seqLen] : ids);
        }

        var predicted = sequences.Sum(s => (long)s.Length - 1);
        var convention = $"tinystories: {stories.Count} stories split on <|endoftext|>, stripped, each BOS + story cut to {seqLen} and scored alone, "
            + $"{predicted} predicted tokens; PPL = exp(total NLL / predicted tokens)";
        return new EvalSequences("tinystories", convention, seqLen, sequences, LossAggregation.TokenWeighted, total);
    }

    /// <summary>HF wikitext rows joined with "\n\n" (see <see cref="WikiText2"/>).</summary>
    internal static string WikiTextJoined(string raw, out int rows)
    {
        var lines = raw.Split('\n');
        // A final "\n" ends the last line; it does not start another row.
        var count = raw.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        var parts = new string[count];
        for (var i = 0; i < count; i++) parts[i] = i < lines.Length - 1 ? lines[i] + "\n" : lines[i];
        return RowsJoined(parts, out rows);
    }

    /// <summary>HF wikitext rows (lines keeping their "\n"), whitespace-only rows → "", joined with "\n\n".</summary>
    internal static string RowsJoined(IReadOnlyList<string> rowTexts, out int rows)
    {
        rows = rowTexts.Count;
        return string.Join("\n\n", rowTexts.Select(r => string.IsNullOrWhiteSpace(r) ? "" : r));
    }

    private static List<int[]> Windows(int[] ids, int seqLen, int maxWindows)
    {
        var count = Math.Min(ids.Length / seqLen, maxWindows);
        var windows = new List<int[]>(count);
        for (var w = 0; w < count; w++) windows.Add(ids.AsSpan(w * seqLen, seqLen).ToArray());
        return windows;
    }

    private static void CheckArgs(string path, ITokenizer tok, int seqLen)
    {
        ArgumentNullException.ThrowIfNull(tok);
        if (seqLen < 2) throw new ArgumentOutOfRangeException(nameof(seqLen), $"seqlen must be at least 2, got {seqLen}");
        if (!File.Exists(path)) throw new FileNotFoundException($"dataset file not found: {path}", path);
    }
}
