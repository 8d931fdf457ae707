using System.Globalization;
using System.Net;
using System.Text;

namespace PrunePipeline.Workflow.Comparison;

/// <summary>
/// A self-contained SVG line chart with a log-scale y axis: categories on x (e.g. layers), one line with markers per
/// series, legend on the right. Non-positive or missing values are left out of a line rather than faked.
/// </summary>
public static class SvgLineChart
{
    public static string Render(string title, string yLabel, IReadOnlyList<string> xLabels, IReadOnlyList<ChartSeries> series,
        int width = 1300, int height = 460)
    {
        const int left = 80, right = 230, top = 40, bottom = 90;
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        var positive = series.SelectMany(s => s.Values).Where(v => double.IsFinite(v) && v > 0).ToList();
        var lo = positive.Count > 0 ? Math.Floor(Math.Log10(positive.Min())) : -1;
        var hi = positive.Count > 0 ? Math.Ceiling(Math.Log10(positive.Max())) : 0;
        if (hi <= lo) hi = lo + 1;
        var n = Math.Max(1, xLabels.Count);
        double X(int i) => left + (n == 1 ? plotW / 2.0 : i * (double)plotW / (n - 1));
        double Y(double v) => top + plotH - (Math.Log10(v) - lo) / (hi - lo) * plotH;

        var sb = new StringBuilder();
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">"));
        sb.Append(Inv($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"));
        sb.Append(Inv($"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{Esc(title)}</text>"));
        // Decades and their labels.
        for (var e = (int)lo; e <= (int)hi; e++)
        {
            var y = Y(Math.Pow(10, e));
            sb.Append(Inv($"<line x1=\"{left}\" y1=\"{y:F1}\" x2=\"{left + plotW}\" y2=\"{y:F1}\" stroke=\"#ddd\"/>"));
            sb.Append(Inv($"<text x=\"{left - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\">1e{e}</text>"));
            for (var m = 2; m <= 9 && e < (int)hi; m++)
            {
                var ym = Y(m * Math.Pow(10, e));
                sb.Append(Inv($"<line x1=\"{left}\" y1=\"{ym:F1}\" x2=\"{left + plotW}\" y2=\"{ym:F1}\" stroke=\"#f3f3f3\"/>"));
            }
        }
        for (var i = 0; i < xLabels.Count; i++)
        {
            var x = X(i);
            sb.Append(Inv($"<line x1=\"{x:F1}\" y1=\"{top}\" x2=\"{x:F1}\" y2=\"{top + plotH}\" stroke=\"#f3f3f3\"/>"));
            sb.Append(Inv($"<text transform=\"translate({x + 4:F1},{top + plotH + 8}) rotate(60)\" font-size=\"10\">{Esc(xLabels[i])}</text>"));
        }
        sb.Append(Inv($"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#333\"/>"));
        sb.Append(Inv($"<text transform=\"translate(18,{top + plotH / 2}) rotate(-90)\" text-anchor=\"middle\">{Esc(yLabel)}</text>"));

        for (var s = 0; s < series.Count; s++)
        {
            var ser = series[s];
            var dash = ser.Dash is null ? "" : $" stroke-dasharray=\"{ser.Dash}\"";
            var path = new StringBuilder();
            var pen = false;
            for (var i = 0; i < ser.Values.Count && i < n; i++)
            {
                var v = ser.Values[i];
                if (!(double.IsFinite(v) && v > 0)) { pen = false; continue; }
                path.Append(Inv($"{(pen ? 'L' : 'M')}{X(i):F1},{Y(v):F1} "));
                pen = true;
            }
            sb.Append(Inv($"<path d=\"{path.ToString().TrimEnd()}\" fill=\"none\" stroke=\"{ser.Color}\" stroke-width=\"1.6\"{dash}/>"));
            for (var i = 0; i < ser.Values.Count && i < n; i++)
            {
                var v = ser.Values[i];
                if (!(double.IsFinite(v) && v > 0)) continue;
                var fill = ser.Dash is null ? ser.Color : "white";
                sb.Append(Inv($"<circle cx=\"{X(i):F1}\" cy=\"{Y(v):F1}\" r=\"3\" fill=\"{fill}\" stroke=\"{ser.Color}\"><title>{Esc(ser.Name)} {Esc(xLabels[i])}: {v:G4}</title></circle>"));
            }
            var ly = top + 10 + s * 18;
            var lx = left + plotW + 15;
            sb.Append(Inv($"<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{lx + 28}\" y2=\"{ly}\" stroke=\"{ser.Color}\" stroke-width=\"2\"{dash}/>"));
            sb.Append(Inv($"<circle cx=\"{lx + 14}\" cy=\"{ly}\" r=\"3\" fill=\"{(ser.Dash is null ? ser.Color : "white")}\" stroke=\"{ser.Color}\"/>"));
            sb.Append(Inv($"<text x=\"{lx + 34}\" y=\"{ly + 4}\">{Esc(ser.Name)}</text>"));
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    internal static string Esc(string s) => WebUtility.HtmlEncode(s);

    internal static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
