using System.Globalization;
using System.Text;

namespace PrunePipeline.Workflow.Comparison;

/// <summary>
/// Perplexity per run and data set, with the dense baseline, as rows of text cells. Rendered as an aligned text table
/// (terminal) or Markdown (docs/results.md).
/// </summary>
public sealed class ComparisonTable
{
    private ComparisonTable(IReadOnlyList<string> datasets, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        Datasets = datasets;
        Header = header;
        Rows = rows;
    }

    public IReadOnlyList<string> Datasets { get; }

    public IReadOnlyList<string> Header { get; }

    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }

    /// <summary>Builds the table: one dense row (from the first run that measured it), then one row per run.</summary>
    public static ComparisonTable Build(IReadOnlyList<ComparedRun> runs)
    {
        var datasets = runs.SelectMany(r => r.Report.Evaluation.Select(e => e.Dataset)).Distinct().ToList();
        var header = new List<string> { "method", "calibration", "seed" };
        header.AddRange(datasets.Select(d => $"{d} ppl"));
        var rows = new List<IReadOnlyList<string>>();
        var dense = new List<string> { "dense", "-", "-" };
        foreach (var d in datasets)
        {
            var before = runs.SelectMany(r => r.Report.Evaluation).FirstOrDefault(e => e.Dataset == d && e.PerplexityBefore is not null);
            dense.Add(before?.PerplexityBefore is { } p ? Format(p) : "-");
        }
        rows.Add(dense);
        foreach (var run in runs)
        {
            var c = run.Report.Calibration;
            var row = new List<string> { run.Report.Label, $"{run.CalibrationName} ({c.Sampler} {c.NSamples}×{c.SeqLen})", c.Seed.ToString(CultureInfo.InvariantCulture) };
            foreach (var d in datasets)
            {
                var e = run.Report.Evaluation.FirstOrDefault(x => x.Dataset == d);
                row.Add(e is null ? "-" : Format(e.PerplexityAfter));
            }
            rows.Add(row);
        }
        return new ComparisonTable(datasets, header, rows);
    }

    public static string Format(double v) => double.IsFinite(v) ? v.ToString(v >= 1000 ? "F0" : "F3", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Aligned plain-text table (numbers right-aligned).</summary>
    public string ToText()
    {
        var widths = Header.Select((h, i) => Math.Max(h.Length, Rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            for (var i = 0; i < cells.Count; i++)
            {
                if (i > 0) sb.Append("  ");
                sb.Append(i < 3 ? cells[i].PadRight(widths[i]) : cells[i].PadLeft(widths[i]));
            }
            sb.AppendLine();
        }
        Line(Header);
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var r in Rows) Line(r);
        return sb.ToString();
    }

    /// <summary>GitHub Markdown table.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| " + string.Join(" | ", Header) + " |");
        sb.AppendLine("|" + string.Join("|", Header.Select((_, i) => i < 3 ? "---" : "---:")) + "|");
        foreach (var r in Rows) sb.AppendLine("| " + string.Join(" | ", r) + " |");
        return sb.ToString();
    }
}
