namespace PrunePipeline.Tokenizers.Bpe;

/// <summary>
/// Binary max-heap of merge candidates ordered by (priority descending, left index ascending). Hand-written rather than
/// PriorityQueue so the comparison inlines and each entry is stored once: the heap sees millions of pushes on
/// WikiText-2 with the 32k vocabulary.
/// </summary>
internal struct CandidateHeap(int capacity)
{
    private Candidate[] items = new Candidate[Math.Max(16, capacity)];
    private int count;

    public void Push(in Candidate c)
    {
        if (count == items.Length) Array.Resize(ref items, items.Length * 2);
        var i = count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Before(c, items[parent])) break;
            items[i] = items[parent];
            i = parent;
        }

        items[i] = c;
    }

    public bool TryPop(out Candidate top)
    {
        if (count == 0)
        {
            top = default;
            return false;
        }

        top = items[0];
        var last = items[--count];
        var i = 0;
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= count) break;
            if (child + 1 < count && Before(items[child + 1], items[child])) child++;
            if (!Before(items[child], last)) break;
            items[i] = items[child];
            i = child;
        }

        items[i] = last;
        return true;
    }

    private static bool Before(in Candidate a, in Candidate b) =>
        a.Priority > b.Priority || (a.Priority == b.Priority && a.Left < b.Left);
}

/// <summary>A possible merge of symbols Left and Right, valid while they still hold LeftId / RightId and are adjacent.</summary>
internal readonly record struct Candidate(int Left, int Right, int LeftId, int RightId, int MergedId, double Priority);
