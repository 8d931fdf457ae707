using System.Text;

namespace PrunePipeline.ServiceDefaults.Trust;

/// <summary>What of a RunFailed reason reaches the history: one line of printable text, at most N characters. A
/// reason comes from a worker's exception or from any publisher on the broker, so it is bounded like a message.</summary>
public static class FailureReasons
{
    /// <summary>Control characters become spaces, line breaks are joined, and a reason longer than
    /// <paramref name="maxChars"/> is cut with a note of how much was dropped.</summary>
    public static string Bound(string? reason, int maxChars)
    {
        if (string.IsNullOrEmpty(reason)) return "no reason given";
        var text = reason.ReplaceLineEndings(" ");
        var line = new StringBuilder(Math.Min(text.Length, maxChars + 64));
        foreach (var c in text.AsSpan(0, Math.Min(text.Length, maxChars))) line.Append(char.IsControl(c) ? ' ' : c);
        if (text.Length > maxChars) line.Append($" … ({text.Length - maxChars} more characters not stored)");
        return line.ToString();
    }
}
