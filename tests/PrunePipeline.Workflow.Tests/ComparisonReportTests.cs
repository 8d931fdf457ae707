using PrunePipeline.Contracts;
using PrunePipeline.Workflow.Comparison;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Workflow.Tests;

public class ComparisonReportTests
{
    private static ComparedRun Run(string method, string refine, double ppl, string calib = "/x/c4_validation_2k.jsonl") =>
        new("/out/" + method + refine, new PruneReport(PruneReport.FormatName, "/m", method, refine, "2:4", PruneMode.Sequential,
            new PruneMethodSettings(method, refine), new CalibrationSettings(calib, "random-window", 8, 64, 0), 512, 0,
            [
                new LayerReport(0, "self_attn.q_proj", "model.layers.0.self_attn.q_proj.weight", 8, 8, 2.0, 1.0, 0, null, false, null, 0, 0, 0.5),
                new LayerReport(0, "mlp.down_proj", "model.layers.0.mlp.down_proj.weight", 8, 8, 20.0, 10.0, 0, null, false, null, 0, 0, 0.5),
            ],
            [new DatasetReport("wikitext2", "/w", 512, "conv", 3, 100, 10.5, ppl)], 1, 1, 1, 3, new Dictionary<string, string>()),
            ComparedRun.ShortName(calib));

    [Fact]
    public void TableHasDenseRowAndOneRowPerRun()
    {
        var report = ComparisonReport.Build([Run("prox", "gd", 12.25), Run("magnitude", "none", 30)]);
        var text = report.Table.ToText();
        Assert.Contains("dense", text);
        Assert.Contains("10.500", text);
        Assert.Contains("prox+gd", text);
        Assert.Contains("12.250", text);
        Assert.Contains("c4_validation_2k", text);
        Assert.Equal(3, report.Table.Rows.Count);
        Assert.Contains("| magnitude |", report.Table.ToMarkdown());
    }

    [Fact]
    public void HtmlIsSelfContainedWithLossAndPerplexityCharts()
    {
        var report = ComparisonReport.Build([Run("prox", "gd", 12.25), Run("wanda", "none", 14), Run("wanda", "gd", 13, "/t/tiny.eot.txt")]);
        var html = report.ToHtml();
        Assert.Equal(2, report.Charts.Count(c => c.Name.StartsWith("layer-loss", StringComparison.Ordinal))); // one per calibration text
        Assert.Single(report.Charts, c => c.Name == "ppl-wikitext2");
        Assert.Equal(report.Charts.Count, html.Split("<svg").Length - 1);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal));
        Assert.Contains("stroke-dasharray=\"6 4\"", html); // the no-refinement run is dashed
    }

    [Fact]
    public void MissingReportNamesTheDirectory()
    {
        var dir = TestData.TempDir("noreport");
        var e = Assert.Throws<FileNotFoundException>(() => ComparedRun.Load(dir));
        Assert.Contains(dir, e.Message);
    }
}
