using System.Diagnostics;
using PrunePipeline.Workflow;

namespace PrunePipeline.Cli.Verbs;

/// <summary>
/// Renders <see cref="PruneProgressEvent"/>s on stderr: one rewritten status line on a terminal; on a pipe/file one
/// line per block/layer/stage change (not one per iteration), so logs stay readable.
/// </summary>
internal sealed class ProgressRenderer(TextWriter writer)
{
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
    private string _lastKey = "";
    private int _lastWidth;

    public void Render(PruneProgressEvent e)
    {
        var where = e.Block >= 0 ? $"block {e.Block + 1}/{e.Blocks}" : "";
        var layer = e.Linear is null ? "" : $" {e.Linear}";
        var step = e.Steps > 0 ? $" {e.Step}/{e.Steps}" : e.Step > 0 ? $" {e.Step}" : "";
        var text = $"[{e.Stage}] {where}{layer}{step}{(e.Detail is null ? "" : " " + e.Detail)}".Replace("  ", " ");
        var key = $"{e.Stage}|{e.Block}|{e.Linear}|{(e.Stage == "evaluate" ? e.Detail : "")}";
        if (_interactive)
        {
            if (key == _lastKey && _sinceDraw.ElapsedMilliseconds < 100) return;
            _sinceDraw.Restart();
            writer.Write("\r" + text.PadRight(_lastWidth));
            _lastWidth = text.Length;
        }
        else if (key != _lastKey)
        {
            writer.WriteLine(text);
        }
        _lastKey = key;
    }

    public void Done()
    {
        if (_interactive && _lastWidth > 0) writer.WriteLine();
    }
}
