namespace PrunePipeline.Evaluation.Datasets;

/// <summary>
/// Documents of a tabular text file, one per row: Parquet (the column <c>textColumn</c>) or JSON lines (the field
/// <c>textColumn</c> of each object; plain or gzip). Both give the same strings for the same documents, so the same
/// tokens follow.
/// </summary>
public static class TextDocuments
{
    public const string DefaultColumn = "text";

    public static IEnumerable<string> Read(string path, string textColumn = DefaultColumn) =>
        ParquetText.IsParquet(path) ? ParquetText.ReadTexts(path, textColumn) : JsonLinesText.ReadTexts(path, textColumn);
}
