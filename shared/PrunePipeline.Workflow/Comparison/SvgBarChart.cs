using System.Text;
using static PrunePipeline.Workflow.Comparison.SvgLineChart;

namespace PrunePipeline.Workflow.Comparison;

/// <summary>
/// A self-contained horizontal SVG bar chart (one bar per run, value printed at the bar's end, a dashed reference line
/// for the dense model). Horizontal so that long run labels stay readable.
/// </summary>
public static class SvgBarChart
{
    public static string Render(string title, IReadOnlyList<(string Label, string Color, double Value)> bars, double? reference,
        string referenceLabel = "dense", int width = 640)
    {
        const int left = 230, right = 90, top = 40, barH = 18, gap = 6;
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
            var (label, color, value) = bars[i];
            var y = top + i * (barH + gap);
            sb.Append(Inv($"<text x=\"{left - 8}\" y=\"{y + barH - 5}\" text-anchor=\"end\">{Esc(label)}</text>"));
            if (double.IsFinite(value))
            {
                sb.Append(Inv($"<rect x=\"{left}\" y=\"{y}\" width=\"{W(value):F1}\" height=\"{barH}\" fill=\"{color}\"><title>{Esc(label)}: {value:G6}</title></rect>"));
                sb.Append(Inv($"<text x=\"{left + W(value) + 5:F1}\" y=\"{y + barH - 5}\">{ComparisonTable.Format(value)}</text>"));
            }
            else
            {
                sb.Append(Inv($"<text x=\"{left + 5}\" y=\"{y + barH - 5}\" fill=\"#a00\">{Esc(value.ToString(System.Globalization.CultureInfo.InvariantCulture))}</text>"));
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
