using PrunePipeline.Workflow.Comparison;
using PrunePipeline.Workflow.Output;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl compare: perplexity table of several pruned outputs, plus an HTML/SVG report.</summary>
public sealed class CompareVerb : IVerb
{
    public string Name => "compare";

    public string Summary => "compare pruned outputs: perplexity table, HTML report with per-layer loss and perplexity charts";

    public string Usage => """
        usage: prunectl compare OUTDIR... [--html report.html] [--svg-dir DIR] [--markdown table.md] [--force]
          OUTDIR         directories written by prunectl prune or prunectl run (each has report.json)
          --html FILE    self-contained HTML page with the table and inline SVG charts
          --svg-dir DIR  also write each chart as an .svg file
          --markdown FILE  write the perplexity table as Markdown
          --force        replace existing report files (never a file inside an OUTDIR)
        """;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var html = args.Optional("html");
        var svgDir = args.Optional("svg-dir");
        var markdown = args.Optional("markdown");
        var force = args.Flag("force");
        args.ThrowOnUnused();
        if (args.Positional.Count == 0) throw new UsageException("give at least one OUTDIR.");
        // The compared outputs are inputs here: no report may land inside one (it would no longer be "ours only").
        var inputs = args.Positional.ToList();
        if (html is not null) OutputGuard.CheckFile(html, force, inputs, "--html");
        if (markdown is not null) OutputGuard.CheckFile(markdown, force, inputs, "--markdown");
        var runs = args.Positional.Select(ComparedRun.Load).ToList();
        var report = ComparisonReport.Build(runs);
        // Every file is checked before the first is written, so a refusal leaves nothing half done.
        if (svgDir is not null)
            foreach (var (name, _, _) in report.Charts) OutputGuard.CheckFile(Path.Combine(svgDir, name + ".svg"), force, inputs, "--svg-dir");
        Console.Write(report.Table.ToText());
        if (html is not null)
        {
            OutputGuard.WriteText(html, report.ToHtml(), force, inputs, "--html");
            Console.WriteLine($"wrote {html}");
        }
        if (svgDir is not null)
        {
            foreach (var (name, _, svg) in report.Charts) OutputGuard.WriteText(Path.Combine(svgDir, name + ".svg"), svg, force, inputs, "--svg-dir");
            Console.WriteLine($"wrote {report.Charts.Count} charts to {svgDir}");
        }
        if (markdown is not null)
        {
            OutputGuard.WriteText(markdown, report.Table.ToMarkdown(), force, inputs, "--markdown");
            Console.WriteLine($"wrote {markdown}");
        }
        return Task.FromResult(0);
    }
}
