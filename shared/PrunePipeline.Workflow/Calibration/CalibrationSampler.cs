using PrunePipeline.Tokenizers;

namespace PrunePipeline.Workflow.Calibration;

/// <summary>The two seeded calibration samplers of algorithm.md §8; both return nsamples × seqLen token ids.</summary>
public static class CalibrationSampler
{
    /// <summary>
    /// Wanda/SparseGPT <c>get_c4</c>: for each sample, draw documents uniformly at random until one has more than
    /// seqLen tokens (tokenized with BOS), then take a uniformly random window of seqLen tokens from it
    /// (start in [0, tokens − seqLen − 1]).
    /// </summary>
    public static int[][] RandomWindow(IEnumerable<string> docs, ITokenizer tok, int nsamples, int seqLen, int seed)
    {
        Check(tok, nsamples, seqLen);
        var list = docs.ToList();
        if (list.Count == 0) throw new InvalidDataException("no calibration documents");
        var rng = new SplitMix64((ulong)seed);
        var cache = new Dictionary<int, int[]>();
        var longest = 0;
        var samples = new int[nsamples][];
        for (var s = 0; s < nsamples; s++)
        {
            int[] ids;
            while (true)
            {
                var i = rng.NextInt(list.Count);
                if (!cache.TryGetValue(i, out ids!))
                {
                    ids = tok.Encode(list[i], addBos: true);
                    cache[i] = ids;
                    longest = Math.Max(longest, ids.Length);
                    // Every document tried and none long enough: drawing more would loop for ever.
                    if (cache.Count == list.Count && longest <= seqLen)
                        throw new InvalidDataException(
                            $"no calibration document has more than {seqLen} tokens (longest: {longest} of {list.Count} documents); use a smaller seqlen or the packed sampler");
                }

                if (ids.Length > seqLen) break;
            }

            var start = rng.NextInt(ids.Length - seqLen);
            samples[s] = ids.AsSpan(start, seqLen).ToArray();
        }

        return samples;
    }

    /// <summary>
    /// Packed sampler: documents in a seeded shuffled order, each tokenized with BOS, separated by EOS, concatenated
    /// and cut into nsamples consecutive rows of seqLen tokens.
    /// </summary>
    public static int[][] Packed(IEnumerable<string> docs, ITokenizer tok, int nsamples, int seqLen, int seed)
    {
        Check(tok, nsamples, seqLen);
        var list = docs.ToList();
        var order = Enumerable.Range(0, list.Count).ToArray();
        var rng = new SplitMix64((ulong)seed);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        var need = (long)nsamples * seqLen;
        var stream = new List<int>((int)Math.Min(need, int.MaxValue));
        foreach (var d in order)
        {
            if (stream.Count >= need) break;
            if (stream.Count > 0) stream.Add(tok.EosId);
            stream.AddRange(tok.Encode(list[d], addBos: true));
        }

        if (stream.Count < need)
            throw new InvalidDataException(
                $"calibration text too short: {list.Count} documents give {stream.Count} tokens, need {nsamples} × {seqLen} = {need}");
        var samples = new int[nsamples][];
        for (var s = 0; s < nsamples; s++) samples[s] = stream.GetRange(s * seqLen, seqLen).ToArray();
        return samples;
    }

    private static void Check(ITokenizer tok, int nsamples, int seqLen)
    {
        ArgumentNullException.ThrowIfNull(tok);
        if (nsamples < 1) throw new ArgumentOutOfRangeException(nameof(nsamples), $"nsamples must be positive, got {nsamples}");
        if (seqLen < 1) throw new ArgumentOutOfRangeException(nameof(seqLen), $"seqlen must be positive, got {seqLen}");
    }
}
