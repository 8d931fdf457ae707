using System.Text;

namespace PrunePipeline.Tokenizers.Tests;

/// <summary>
/// Naive twin of llama2.c's encode(): a literal transcription of the C loop (byte-level code point grouping, bsearch-like
/// lookup, O(n²) rescan for the best pair each round). Slow on purpose; the reference for the heap-based encoder.
/// </summary>
internal static class NaiveLlama2cEncoder
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Llama2cTokenizer, Dictionary<string, int>> Lookups = new();

    public static int[] Encode(Llama2cTokenizer tok, string text, bool bos)
    {
        var lookup = Lookups.GetValue(tok, t =>
        {
            var d = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < t.Pieces.Count; i++) d.TryAdd(t.Pieces[i], i);
            return d;
        });
        var tokens = new List<int>();
        if (bos) tokens.Add(1);
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length > 0) tokens.Add(lookup[" "]);
        var buf = new List<byte>();
        for (var c = 0; c < bytes.Length; c++)
        {
            if ((bytes[c] & 0xC0) != 0x80) buf.Clear();
            buf.Add(bytes[c]);
            if (c + 1 < bytes.Length && (bytes[c + 1] & 0xC0) == 0x80 && buf.Count < 4) continue;
            var key = Encoding.Latin1.GetString(buf.ToArray());
            if (lookup.TryGetValue(key, out var id)) tokens.Add(id);
            else foreach (var b in buf) tokens.Add(b + 3);
            buf.Clear();
        }

        while (true)
        {
            var bestScore = -1e10f;
            int bestId = -1, bestIdx = -1;
            for (var i = 0; i + 1 < tokens.Count; i++)
            {
                var merged = tok.Pieces[tokens[i]] + tok.Pieces[tokens[i + 1]];
                if (lookup.TryGetValue(merged, out var id) && tok.Scores[id] > bestScore)
                {
                    bestScore = tok.Scores[id];
                    bestId = id;
                    bestIdx = i;
                }
            }

            if (bestIdx == -1) break;
            tokens[bestIdx] = bestId;
            tokens.RemoveAt(bestIdx + 1);
        }

        return tokens.ToArray();
    }
}
