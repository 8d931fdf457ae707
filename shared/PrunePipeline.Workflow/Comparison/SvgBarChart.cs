using System.Text;
using static PrunePipeline.Workflow.Comparison.SvgLineChart;

namespace PrunePipeline.Workflow.Comparison;

/// <summary>
/// A self-contained horizontal SVG bar chart (one bar per run, value printed at the bar's end, a dashed reference line
/// for the dense model). Horizontal so that long run labels stay readable.
/// </summary>
public static class SvgBarChart
{
    /// <param name="bars">Label, colour, value and whether to draw the bar faded (e.g. a run without refinement).</param>
    public static string Render(string title, IReadOnlyList<(string Label, string Color, double Value, bool Faded)> bars, double? reference,
        string referenceLabel = "dense", int width = 640)
    {
        const int right = 90, top = 40, barH = 18, gap = 6;
        // Room for the longest label (≈ 7 px per character at 12 px sans-serif).
        var left = Math.Max(120, 16 + 7 * bars.Select(b => b.Label.Length).DefaultIfEmpty(0).Max());
        width = Math.Max(width, left + 420);
        var height = top + bars.Count * (barH + gap) + 40;
        var plotW = width - left - right;
        var finite = bars.Select(b => b.Value).Where(double.IsFinite).ToList();
        if (reference is { } r0 && double.IsFinite(r0)) finite.Add(r0);
        var max = finite.Count > 0 ? finite.Max() : 1;
        if (max <= 0) max = 1;
        double W(double v) => Math.Max(0, Math.Min(v, max)) / max * plotW;

        var sb = new StringBuilder();
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">"));
        sb.Append(Inv($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"));
        sb.Append(Inv($"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{Esc(title)}</text>"));
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, color, value, faded) = bars[i];
            var y = top + i * (barH + gap);
            sb.Append(Inv($"<text x=\"{left - 8}\" y=\"{y + barH - 5}\" text-anchor=\"end\">{Esc(label)}</text>"));
            if (double.IsFinite(value))
            {
                sb.Append(Inv($"<rect x=\"{left}\" y=\"{y}\" width=\"{W(value):F1}\" height=\"{barH}\" fill=\"{color}\"{(faded ? " fill-opacity=\"0.45\"" : "")}><title>{Esc(label)}: {value:G6}</title></rect>"));
                sb.Append(Inv($"<text x=\"{left + W(value) + 5:F1}\" y=\"{y + barH - 5}\">{ComparisonTable.Format(value)}</text>"));
            }
            else
            {
                sb.Append(Inv($"<text x=\"{left + 5}\" y=\"{y + barH - 5}\" fill=\"#888\">{(double.IsNaN(value) ? "not evaluated" : Esc(value.ToString(System.Globalization.CultureInfo.InvariantCulture)))}</text>"));
            }
        }
        var axisY = top + bars.Count * (barH + gap);
        sb.Append(Inv($"<line x1=\"{left}\" y1=\"{top - 4}\" x2=\"{left}\" y2=\"{axisY}\" stroke=\"#333\"/>"));
        if (reference is { } r && double.IsFinite(r))
        {
            var x = left + W(r);
            sb.Append(Inv($"<line x1=\"{x:F1}\" y1=\"{top - 6}\" x2=\"{x:F1}\" y2=\"{axisY}\" stroke=\"#000\" stroke-dasharray=\"5 3\"/>"));
            sb.Append(Inv($"<text x=\"{x:F1}\" y=\"{axisY + 16}\" text-anchor=\"middle\">{Esc(referenceLabel)} {ComparisonTable.Format(r)}</text>"));
        }
        sb.Append("</svg>");
        return sb.ToString();
    }
}
