using System.Globalization;

namespace PrunePipeline.Training;

/// <summary>An inclusive range of document (story) indices, written <c>A-B</c> (e.g. <c>0-499</c>), 0-based, after empty documents are dropped.</summary>
public sealed record StoryRange(int First, int Last)
{
    /// <exception cref="ArgumentException">not of the form A-B with 0 ≤ A ≤ B.</exception>
    public static StoryRange Parse(string text)
    {
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var a)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var b) && a <= b)
            return new StoryRange(a, b);
        throw new ArgumentException($"story range '{text}': expected A-B with 0 ≤ A ≤ B, e.g. 0-499.");
    }

    /// <summary>The selected items; the range must lie inside the list (a silent shorter selection would mislabel a result).</summary>
    public List<T> Select<T>(IReadOnlyList<T> items, string what)
    {
        if (Last >= items.Count) throw new ArgumentException($"{what}: range {this} needs {Last + 1} documents, the file has {items.Count}.");
        return [.. items.Skip(First).Take(Last - First + 1)];
    }

    public override string ToString() => $"{First}-{Last}";
}
