using PrunePipeline.Workflow.Comparison;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl compare: perplexity table of several pruned outputs, plus an HTML/SVG report.</summary>
public sealed class CompareVerb : IVerb
{
    public string Name => "compare";

    public string Summary => "compare pruned outputs: perplexity table, HTML report with per-layer loss and perplexity charts";

    public string Usage => """
        usage: prunectl compare OUTDIR... [--html report.html] [--svg-dir DIR] [--markdown table.md]
          OUTDIR         directories written by prunectl prune or prunectl run (each has report.json)
          --html FILE    self-contained HTML page with the table and inline SVG charts
          --svg-dir DIR  also write each chart as an .svg file
          --markdown FILE  write the perplexity table as Markdown
        """;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var html = args.Optional("html");
        var svgDir = args.Optional("svg-dir");
        var markdown = args.Optional("markdown");
        args.ThrowOnUnused();
        if (args.Positional.Count == 0) throw new UsageException("give at least one OUTDIR.");
        var runs = args.Positional.Select(ComparedRun.Load).ToList();
        var report = ComparisonReport.Build(runs);
        Console.Write(report.Table.ToText());
        if (html is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(html))!);
            File.WriteAllText(html, report.ToHtml());
            Console.WriteLine($"wrote {html}");
        }
        if (svgDir is not null)
        {
            Directory.CreateDirectory(svgDir);
            foreach (var (name, _, svg) in report.Charts) File.WriteAllText(Path.Combine(svgDir, name + ".svg"), svg);
            Console.WriteLine($"wrote {report.Charts.Count} charts to {svgDir}");
        }
        if (markdown is not null)
        {
            File.WriteAllText(markdown, report.Table.ToMarkdown());
            Console.WriteLine($"wrote {markdown}");
        }
        return Task.FromResult(0);
    }
}
