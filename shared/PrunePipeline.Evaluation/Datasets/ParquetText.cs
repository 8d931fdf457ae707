using Parquet;
using Parquet.Schema;

namespace PrunePipeline.Evaluation.Datasets;

/// <summary>
/// Streams one string column of a Parquet file, the way Hugging Face publishes datasets (wikitext's and C4's
/// <c>text</c>, TinyStories' <c>text</c>), one row group at a time. The file is untrusted: a missing column, a column
/// that is not a plain string column, a null value, or a file Parquet.Net cannot read gives an error naming the file,
/// the column and (for nulls) the row, counted from 0 as pandas/Polars/DuckDB show it.
/// </summary>
public static class ParquetText
{
    /// <summary>A Parquet file by name (.parquet) or by its leading magic bytes "PAR1".</summary>
    public static bool IsParquet(string path)
    {
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)) return true;
        if (!File.Exists(path)) return false;
        Span<byte> magic = stackalloc byte[4];
        using var f = File.OpenRead(path);
        return f.Read(magic) == 4 && magic.SequenceEqual("PAR1"u8);
    }

    /// <summary>The values of <paramref name="column"/>, row by row (lazily; errors surface while enumerating).</summary>
    public static IEnumerable<string> ReadTexts(string path, string column = "text")
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        if (!File.Exists(path)) throw new FileNotFoundException($"Parquet file not found: {path}", path);
        return Enumerate(path, column);
    }

    static IEnumerable<string> Enumerate(string path, string column)
    {
        // Synchronous over Parquet.Net's async API: callers are CLI verbs and worker consumers on the thread pool,
        // without a synchronization context, and the text feeds a synchronous tokenizer anyway.
        using var stream = File.OpenRead(path);
        var reader = Guard(path, column, () => ParquetReader.CreateAsync(stream, leaveStreamOpen: true).GetAwaiter().GetResult());
        try
        {
            var field = TextField(path, column, reader.Schema);
            long row = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                var values = Guard(path, column, () =>
                {
                    using var group = reader.OpenRowGroupReader(g);
                    if (group.RowCount > int.MaxValue) throw new InvalidDataException($"{path}: row group {g} has {group.RowCount} rows");
                    var buffer = new string?[group.RowCount];
                    group.ReadAsync(field, buffer.AsMemory()).AsTask().GetAwaiter().GetResult();
                    return buffer;
                });
                foreach (var value in values)
                {
                    yield return value ?? throw new InvalidDataException(
                        $"{path}: column '{column}' is null in row {row} (counting from 0); every row needs a text.");
                    row++;
                }
            }
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    static DataField TextField(string path, string column, ParquetSchema schema)
    {
        var top = schema.Fields;
        var found = top.FirstOrDefault(f => f.Name == column)
                    ?? throw new InvalidDataException(
                        $"{path}: no column '{column}'; the file has {string.Join(", ", top.Select(f => $"'{f.Name}'"))} (choose one with --text-column).");
        if (found is not DataField field || field.IsArray)
            throw new InvalidDataException($"{path}: column '{column}' holds nested values ({found.SchemaType}), not text (choose a string column with --text-column).");
        if (field.ClrType != typeof(string) && field.ClrType != typeof(ReadOnlyMemory<char>))
            throw new InvalidDataException($"{path}: column '{column}' holds {TypeName(field.ClrType)} values, not text (choose a string column with --text-column).");
        return field;
    }

    static string TypeName(Type t) =>
        t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>) ? "binary" : t.IsGenericType ? $"{t.Name[..t.Name.IndexOf('`')]}<{string.Join(", ", t.GetGenericArguments().Select(TypeName))}>" : t.Name;

    // Parquet.Net reports a corrupt or truncated file with assorted exception types; the user gets one line naming it.
    static T Guard<T>(string path, string column, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not (InvalidDataException or OperationCanceledException or OutOfMemoryException))
        {
            throw new InvalidDataException($"{path}: not a readable Parquet file (reading column '{column}'): {e.Message}", e);
        }
    }
}
