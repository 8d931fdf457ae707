using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Errors;

namespace PrunePipeline.Workflow.Calibration;

/// <summary>
/// Calibration documents from a file: Parquet (one document per row of the text column, as Hugging Face publishes
/// datasets), JSON lines with a <c>text</c> field (or the chosen column; plain or gzip; C4's layout), or — for
/// a <c>.txt</c> file — plain text whose documents are separated by <c>&lt;|endoftext|&gt;</c> (the TinyStories dump),
/// each stripped, empty ones dropped. Errors name the file.
/// </summary>
public static class CalibrationText
{
    public const string EndOfText = "<|endoftext|>";

    public static List<string> ReadDocuments(string path, string textColumn = TextDocuments.DefaultColumn)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"calibration file not found: {path}", path);
        List<string> docs;
        if (path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
        {
            docs = StrictUtf8.ReadAllText(path).Split(EndOfText).Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        }
        else
        {
            docs = TextDocuments.Read(path, textColumn).ToList();
        }
        if (docs.Count == 0) throw new InvalidDataException($"calibration file {path} has no documents.");
        return docs;
    }
}
