using PrunePipeline.Artifacts;
using PrunePipeline.Contracts;

namespace PrunePipeline.Coordinator;

/// <summary>
/// Calibration keys: a content hash of everything that determines a block's Hessians. Base = model fingerprint +
/// data path + sampler + nsamples + seqlen + seed + mode. One-shot: every block uses the base key (the dense model's
/// activations). Sequential: block k's key chains the previous key with the method settings that pruned block k−1,
/// i.e. it hashes the derivation of the pruned prefix — the pipeline is deterministic, so equal derivations are
/// equal prefixes, and the key is known before the prefix exists.
/// </summary>
public static class CalibrationKeys
{
    public static string For(string modelFingerprint, PruneRequested request, int block)
    {
        var c = request.Calibration;
        var key = ContentHash.Of(new { model = modelFingerprint, data = c.Path, c.Sampler, c.NSamples, c.SeqLen, c.Seed, request.Mode });
        if (request.Mode == PruneMode.OneShot) return key;
        for (var k = 1; k <= block; k++) key = ContentHash.Of(new { previous = key, prunedBlock = k - 1, method = request.Method });
        return key;
    }
}
