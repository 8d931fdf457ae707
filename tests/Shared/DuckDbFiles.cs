using DuckDB.NET.Data;

namespace PrunePipeline.Tests;

/// <summary>Parquet files written by DuckDB (another Parquet implementation than the Parquet.Net we read with).</summary>
internal static class DuckDbFiles
{
    /// <summary>Runs <paramref name="sql"/> statements in a fresh in-memory database (e.g. CREATE, COPY … TO).</summary>
    public static void Execute(params string[] sql)
    {
        using var conn = new DuckDBConnection("DataSource=:memory:");
        conn.Open();
        foreach (var statement in sql)
        {
            using var cmd = conn.CreateCommand();
            cmd.CommandText = statement;
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>The result of a query: column names and rows (DuckDB's own reading of a Parquet file, say).</summary>
    public static (List<string> Columns, List<object?[]> Rows) Query(string sql)
    {
        using var conn = new DuckDBConnection("DataSource=:memory:");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var rows = new List<object?[]>();
        while (reader.Read())
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i)).ToArray());
        return (columns, rows);
    }

    /// <summary>Writes <paramref name="rows"/> as a one-column Parquet file (column <paramref name="column"/>, VARCHAR),
    /// in their order, with small row groups so readers must cross group boundaries.</summary>
    public static void WriteTextColumn(string path, string column, IReadOnlyList<string?> rows, int rowGroupSize = 500)
    {
        using var conn = new DuckDBConnection("DataSource=:memory:");
        conn.Open();
        using (var create = conn.CreateCommand())
        {
            create.CommandText = $"CREATE TABLE t (i INTEGER, \"{column}\" VARCHAR)";
            create.ExecuteNonQuery();
        }
        using (var appender = conn.CreateAppender("t"))
            for (var i = 0; i < rows.Count; i++)
            {
                var row = appender.CreateRow().AppendValue(i);
                (rows[i] is null ? row.AppendNullValue() : row.AppendValue(rows[i])).EndRow();
            }
        using var copy = conn.CreateCommand();
        copy.CommandText = $"COPY (SELECT \"{column}\" FROM t ORDER BY i) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE {rowGroupSize})";
        copy.ExecuteNonQuery();
    }
}
