using PrunePipeline.Model;

namespace PrunePipeline.Workflow;

/// <summary>
/// Receives each pruned block in order 0…L−1 (its norms and seven pruned linears, plus the masks by linear short
/// name, bit-packed as in <see cref="Output.MaskPacking"/>). <see cref="Output.PrunedModelWriter"/> streams them to disk; tests may collect them.
/// </summary>
public interface IPrunedBlockSink
{
    void WriteBlock(DecoderBlockWeights block, IReadOnlyDictionary<string, byte[]> packedMasks);
}
