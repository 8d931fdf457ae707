using System.Globalization;
using System.Text;
using static PrunePipeline.Workflow.Comparison.SvgLineChart;

namespace PrunePipeline.Workflow.Comparison;

/// <summary>
/// The comparison of several pruned outputs: the perplexity table, one per-layer local-loss chart per calibration
/// text (log scale, one series per method; dashed/hollow = without refinement), and one perplexity bar chart per data
/// set — as SVG files and one self-contained HTML page (no scripts, no external resources).
/// </summary>
public sealed class ComparisonReport
{
    private static readonly Dictionary<string, string> MethodColors = new()
    {
        ["prox"] = "#d62728", ["wanda"] = "#1f77b4", ["sparsegpt"] = "#2ca02c", ["magnitude"] = "#7f7f7f",
    };

    private ComparisonReport(IReadOnlyList<ComparedRun> runs)
    {
        Runs = runs;
        Table = ComparisonTable.Build(runs);
        var multiCalib = runs.Select(r => r.CalibrationName).Distinct().Count() > 1;
        var charts = new List<(string, string, string)>();
        foreach (var group in runs.GroupBy(r => r.CalibrationName))
        {
            var layers = group.First().Report.Layers;
            var xLabels = layers.Select(l => $"{l.Block}.{Short(l.Linear)}").ToList();
            var series = group.Select(r => new ChartSeries(r.Report.Label, ColorOf(r), DashOf(r),
                    xLabels.Select((_, i) => i < r.Report.Layers.Count ? r.Report.Layers[i].LossAfterRefine : double.NaN).ToList()))
                .ToList();
            charts.Add(($"layer-loss-{Slug(group.Key)}", $"Per-layer local loss (calibration: {group.Key})",
                Render($"Per-layer local loss ½‖(W−W₀)X‖²/N after pruning — calibration {group.Key}", "local loss (log scale)", xLabels, series)));
        }
        foreach (var dataset in Table.Datasets)
        {
            double? dense = runs.SelectMany(r => r.Report.Evaluation).FirstOrDefault(e => e.Dataset == dataset && e.PerplexityBefore is not null)?.PerplexityBefore;
            var bars = runs.Select(r => (r.Label(multiCalib), ColorOf(r),
                r.Report.Evaluation.FirstOrDefault(e => e.Dataset == dataset)?.PerplexityAfter ?? double.NaN, r.Report.Refine == "none")).ToList();
            var seq = runs.SelectMany(r => r.Report.Evaluation).FirstOrDefault(e => e.Dataset == dataset)?.SeqLen;
            charts.Add(($"ppl-{Slug(dataset)}", $"Perplexity: {dataset}",
                SvgBarChart.Render($"{dataset} perplexity (seqlen {seq}) — lower is better", bars, dense, width: 760)));
        }
        Charts = charts;
    }

    public IReadOnlyList<ComparedRun> Runs { get; }

    public ComparisonTable Table { get; }

    /// <summary>(file stem, caption, SVG text) per chart.</summary>
    public IReadOnlyList<(string Name, string Caption, string Svg)> Charts { get; }

    public static ComparisonReport Build(IReadOnlyList<ComparedRun> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("no runs to compare.");
        return new ComparisonReport(runs);
    }

    /// <summary>The self-contained HTML page.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>PrunePipeline comparison</title><style>");
        sb.Append("body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 24px}");
        sb.Append("td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px}th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums}");
        sb.Append(".charts{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}figcaption{font-size:12px;color:#555}</style></head><body>");
        sb.Append("<h1>2:4 pruning comparison</h1>");
        sb.Append("<h2>Perplexity (lower is better)</h2><table><tr>");
        foreach (var h in Table.Header) sb.Append($"<th>{Esc(h)}</th>");
        sb.Append("</tr>");
        foreach (var row in Table.Rows)
        {
            sb.Append("<tr>");
            for (var i = 0; i < row.Count; i++) sb.Append(i < 3 ? $"<td>{Esc(row[i])}</td>" : $"<td class=\"n\">{Esc(row[i])}</td>");
            sb.Append("</tr>");
        }
        sb.Append("</table>");
        sb.Append("<h2>Where each method loses: per-layer local loss</h2>");
        sb.Append("<p>Loss after refinement (equal to the method's loss when refinement is off). Solid lines: with refinement; dashed lines with hollow markers: without. Layers on x as block.linear.</p>");
        foreach (var c in Charts.Where(c => c.Name.StartsWith("layer-loss", StringComparison.Ordinal)))
            sb.Append($"<figure>{c.Svg}<figcaption>{Esc(c.Caption)}</figcaption></figure>");
        sb.Append("<h2>Perplexity by data set</h2><div class=\"charts\">");
        foreach (var c in Charts.Where(c => c.Name.StartsWith("ppl-", StringComparison.Ordinal)))
            sb.Append($"<figure>{c.Svg}<figcaption>{Esc(c.Caption)}; dashed line = dense model; faded bars = without refinement</figcaption></figure>");
        sb.Append("</div><h2>Runs</h2><table><tr><th>directory</th><th>method</th><th>parameters</th><th>calibration</th><th>mode</th><th>seconds</th><th>evaluation conventions</th></tr>");
        foreach (var r in Runs)
        {
            var p = r.Report.Parameters;
            var c = r.Report.Calibration;
            var pars = Inv($"refine {p.Refine} ({p.RefineSteps} steps), λ0 {p.Lambda0}, β {p.Beta}, K_max {p.MaxIters}, δ {p.Damping}");
            var conv = string.Join("<br>", r.Report.Evaluation.Select(e => Esc($"{e.Dataset}: seqlen {e.SeqLen}, {e.Convention}")));
            sb.Append(Inv($"<tr><td>{Esc(r.Directory)}</td><td>{Esc(r.Report.Label)}</td><td>{Esc(pars)}</td><td>{Esc($"{c.Path}, {c.Sampler}, {c.NSamples}×{c.SeqLen} = {c.Tokens} tokens, seed {c.Seed}")}</td><td>{Esc(r.Report.Mode.Name())}</td><td class=\"n\">{r.Report.TotalSeconds:F1}</td><td>{conv}</td></tr>"));
        }
        sb.Append("</table></body></html>\n");
        return sb.ToString();
    }

    private static string ColorOf(ComparedRun r) => MethodColors.GetValueOrDefault(r.Report.Method, "#9467bd");

    private static string? DashOf(ComparedRun r) => r.Report.Refine switch
    {
        "none" => "6 4",
        _ => null,
    };

    private static string Short(string linear) => linear.Split('.')[^1].Replace("_proj", "", StringComparison.Ordinal);

    private static string Slug(string s) => new(s.Select(ch => char.IsLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '-').ToArray());

}
