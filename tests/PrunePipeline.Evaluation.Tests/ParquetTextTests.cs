using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Tokenizers;

namespace PrunePipeline.Evaluation.Tests;

/// <summary>
/// Evaluation text from Parquet files written by DuckDB: the same documents give the same token windows as the
/// original files (and so the §9 counts), and hostile files give one error naming file, column and row.
/// </summary>
public sealed class ParquetTextTests : IDisposable
{
    static readonly Lazy<Llama2cTokenizer> Tok = new(() => Llama2cTokenizer.Load(TestPaths.Tok512));

    readonly string dir = Directory.CreateTempSubdirectory("pp-parquet").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    string PathOf(string name) => Path.Combine(dir, name);

    [Fact]
    public void C4_from_parquet_gives_the_json_lines_windows()
    {
        var parquet = PathOf("c4.parquet");
        DuckDbFiles.Execute($"COPY (SELECT text FROM read_json('{TestPaths.C4Jsonl}', format = 'newline_delimited')) TO '{parquet}' (FORMAT parquet, ROW_GROUP_SIZE 100)");
        var fromJson = EvalDatasets.C4(TestPaths.C4Jsonl, Tok.Value, 512);
        var fromParquet = EvalDatasets.Load("c4", parquet, Tok.Value, 512);
        Assert.Equal(1_385_082, fromParquet.TotalTokens); // algorithm.md §9, as for the JSON-lines file
        Assert.Equal(fromJson.Sequences, fromParquet.Sequences);
        Assert.Equal(JsonLinesText.ReadTexts(TestPaths.C4Jsonl), TextDocuments.Read(parquet));
    }

    [Fact]
    public void WikiText2_from_parquet_rows_gives_the_raw_file_windows()
    {
        // Hugging Face's wikitext-2-raw-v1 layout: one row per line of wiki.test.raw, each keeping its "\n".
        var raw = File.ReadAllText(TestPaths.WikiText);
        var lines = raw.Split('\n');
        var rows = lines.Take(lines.Length - 1).Select(l => l + "\n").ToList();
        var parquet = PathOf("wikitext.parquet");
        DuckDbFiles.WriteTextColumn(parquet, "text", rows);
        var fromParquet = EvalDatasets.Load("wikitext2", parquet, Tok.Value, 512);
        Assert.Equal(815_070, fromParquet.TotalTokens); // algorithm.md §9
        Assert.Equal(EvalDatasets.WikiText2(TestPaths.WikiText, Tok.Value, 512).Sequences, fromParquet.Sequences);
        Assert.Contains("Parquet column 'text'", fromParquet.Convention);
    }

    [Fact]
    public void TinyStories_from_a_chosen_column_gives_the_text_file_sequences()
    {
        var stories = File.ReadAllText(TestPaths.TinyStories).Split("<|endoftext|>").Where(s => s.Trim().Length > 0).ToList();
        var parquet = PathOf("tinystories.parquet");
        DuckDbFiles.WriteTextColumn(parquet, "story", stories);
        var fromParquet = EvalDatasets.Load("tinystories", parquet, Tok.Value, 512, textColumn: "story");
        Assert.Equal(369_992, fromParquet.PredictedTokens); // algorithm.md §9
        Assert.Equal(EvalDatasets.TinyStories(TestPaths.TinyStories, Tok.Value, 512).Sequences, fromParquet.Sequences);
    }

    [Fact]
    public void A_parquet_file_is_recognised_by_its_bytes_whatever_its_name()
    {
        var path = PathOf("c4-validation-00000");
        DuckDbFiles.WriteTextColumn(path, "text", ["one", "two"]);
        Assert.True(ParquetText.IsParquet(path));
        Assert.Equal(["one", "two"], TextDocuments.Read(path));
        Assert.False(ParquetText.IsParquet(TestPaths.C4Jsonl));
    }

    [Fact]
    public void A_missing_column_names_the_file_and_the_columns_it_has()
    {
        var path = PathOf("docs.parquet");
        DuckDbFiles.WriteTextColumn(path, "content", ["a", "b"]);
        var e = Assert.Throws<InvalidDataException>(() => TextDocuments.Read(path).ToList());
        Assert.Contains(path, e.Message);
        Assert.Contains("'text'", e.Message);
        Assert.Contains("'content'", e.Message);
        Assert.Contains("--text-column", e.Message);
    }

    [Theory]
    [InlineData("SELECT 42::INTEGER AS text", "Int32")]
    [InlineData("SELECT ['a', 'b'] AS text", "nested")]
    [InlineData("SELECT {'a': 'b'} AS text", "nested")]
    [InlineData("SELECT 'x'::BLOB AS text", "binary")]
    public void A_column_that_is_not_text_is_refused_naming_its_type(string select, string type)
    {
        var path = PathOf("typed.parquet");
        DuckDbFiles.Execute($"COPY ({select}) TO '{path}' (FORMAT parquet)");
        var e = Assert.Throws<InvalidDataException>(() => ParquetText.ReadTexts(path).ToList());
        Assert.Contains(path, e.Message);
        Assert.Contains("column 'text'", e.Message);
        Assert.Contains(type, e.Message);
    }

    [Fact]
    public void A_null_value_names_its_row_even_in_a_later_row_group()
    {
        var rows = Enumerable.Range(0, 700).Select(i => (string?)$"doc {i}").ToList();
        rows[612] = null;
        var path = PathOf("nulls.parquet");
        DuckDbFiles.WriteTextColumn(path, "text", rows, rowGroupSize: 250);
        var e = Assert.Throws<InvalidDataException>(() => TextDocuments.Read(path).ToList());
        Assert.Contains(path, e.Message);
        Assert.Contains("column 'text'", e.Message);
        Assert.Contains("row 612", e.Message);
        Assert.Equal(rows.Take(612), TextDocuments.Read(path).Take(612)); // the rows before it are read as they are
    }

    [Fact]
    public void A_corrupt_or_truncated_file_is_named()
    {
        var good = PathOf("good.parquet");
        DuckDbFiles.WriteTextColumn(good, "text", Enumerable.Range(0, 2000).Select(i => (string?)$"document number {i}").ToList());
        var bytes = File.ReadAllBytes(good);

        var truncated = PathOf("truncated.parquet");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => TextDocuments.Read(truncated).ToList());
        Assert.Contains(truncated, e.Message);

        var text = PathOf("text.parquet");
        File.WriteAllText(text, "{\"text\": \"this is JSON, not Parquet\"}\n");
        e = Assert.Throws<InvalidDataException>(() => TextDocuments.Read(text).ToList());
        Assert.Contains(text, e.Message);

        // Damage inside the data pages (header and footer intact).
        var damaged = PathOf("damaged.parquet");
        var copy = (byte[])bytes.Clone();
        for (var i = 8; i < copy.Length / 2; i += 7) copy[i] ^= 0x5A;
        File.WriteAllBytes(damaged, copy);
        e = Assert.Throws<InvalidDataException>(() => TextDocuments.Read(damaged).ToList());
        Assert.Contains(damaged, e.Message);
    }
}
