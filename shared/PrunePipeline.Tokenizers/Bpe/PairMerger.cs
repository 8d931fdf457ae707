namespace PrunePipeline.Tokenizers.Bpe;

/// <summary>
/// Greedy pair merging shared by every tokenizer here: repeatedly replace the adjacent pair (a, b) with the highest
/// priority by its merged id, leftmost on ties, until no adjacent pair is mergeable.
/// </summary>
/// <remarks>
/// The naive loop rescans all n pairs per merge (O(n²)); WikiText-2 is one 1.3 M-character text, so this uses a heap
/// over adjacent pairs with a doubly linked list and lazy invalidation (O(n log n)). A heap entry remembers the token
/// ids it saw; it is stale when either side was merged away since, and is then skipped. Original symbol indices grow
/// left to right, so "smaller left index" is exactly "leftmost" in the current sequence.
/// </remarks>
internal sealed class PairMerger
{
    private readonly Dictionary<long, Merge> merges;

    /// <param name="merges">(left id, right id) ↦ merged id and priority (higher merges first); key = <see cref="Key"/>.</param>
    public PairMerger(Dictionary<long, Merge> merges) => this.merges = merges;

    public int Count => merges.Count;

    public static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    public bool TryGet(int left, int right, out Merge merge) => merges.TryGetValue(Key(left, right), out merge);

    /// <summary>Merges <paramref name="tokens"/>[0..count) and returns the resulting ids.</summary>
    public int[] Apply(int[] tokens, int count)
    {
        if (count < 2) return tokens.AsSpan(0, count).ToArray();
        var tok = tokens.AsSpan(0, count).ToArray();
        var next = new int[count];
        var prev = new int[count];
        for (var i = 0; i < count; i++)
        {
            next[i] = i + 1;
            prev[i] = i - 1;
        }

        var heap = new CandidateHeap(count);
        for (var i = 0; i + 1 < count; i++) Push(ref heap, tok, i, i + 1);

        var live = count;
        while (heap.TryPop(out var c))
        {
            // Stale: a side was merged away (dead = -1) or changed id, or the two are no longer neighbours.
            if (tok[c.Left] != c.LeftId || tok[c.Right] != c.RightId || next[c.Left] != c.Right) continue;
            tok[c.Left] = c.MergedId;
            tok[c.Right] = -1;
            var after = next[c.Right];
            next[c.Left] = after;
            if (after < count) prev[after] = c.Left;
            live--;
            if (prev[c.Left] >= 0) Push(ref heap, tok, prev[c.Left], c.Left);
            if (after < count) Push(ref heap, tok, c.Left, after);
        }

        var result = new int[live];
        var k = 0;
        for (var i = 0; i < count; i = next[i]) result[k++] = tok[i];
        return result;
    }

    private void Push(ref CandidateHeap heap, int[] tok, int left, int right)
    {
        if (!merges.TryGetValue(Key(tok[left], tok[right]), out var m)) return;
        var c = new Candidate(left, right, tok[left], tok[right], m.Id, m.Priority);
        heap.Push(c);
    }

    internal readonly record struct Merge(int Id, double Priority);
}
