using System.Text;

namespace PrunePipeline.Tokenizers.Tests;

/// <summary>Random strings that stress merging: frequent English fragments, runs of spaces/newlines, rare and astral characters.</summary>
internal static class RandomText
{
    private static readonly string[] Fragments =
    [
        "the", " the", "and", " a", "e", "t", "h", "in", "ing", " ", "  ", "   ", "\n", "\n\n", "Lily", " once", "upon", "time",
        ",", ".", "!", "é", "ü", "日本", "語", "😀", "\t", "aaaa", "ababab", "@", "=", "<s>", "<0x41>", "ll", "ss", "1", "2024",
    ];

    public static string Next(Random rng, int maxParts)
    {
        var sb = new StringBuilder();
        var parts = rng.Next(0, maxParts + 1);
        for (var i = 0; i < parts; i++)
        {
            if (rng.Next(8) == 0) sb.Append((char)rng.Next(32, 127));
            else if (rng.Next(40) == 0) sb.Append(char.ConvertFromUtf32(rng.Next(0x100, 0x2FFF)));
            else sb.Append(Fragments[rng.Next(Fragments.Length)]);
        }

        return sb.ToString();
    }
}
