using PrunePipeline.Contracts;

namespace PrunePipeline.EventStore.Tests;

/// <summary>Sample contract events for the tests.</summary>
internal static class Events
{
    public static PruneRequested Requested(Guid run, string method = "prox") => new(
        run, "/models/stories260K",
        new CalibrationSettings("/data/c4.jsonl", Samplers.Packed, 16, 128, 0),
        PruneMode.Sequential,
        new PruneMethodSettings(method, "gd", Lambda0: 0.02, Beta: 1.05),
        new EvaluationSettings(new Dictionary<string, string> { ["wikitext2"] = "/data/wiki.test.raw" }, 256));

    public static LayerPruned Pruned(Guid run, int block, string layer) =>
        new(run, block, layer, 0.25, 120, 3.7, 0.01, $"masks/{run}/{layer}.mask", $"weights/{run}/pruned/{layer}.bin");

    public static ModelEvaluated Evaluated(Guid run, double ppl) =>
        new(run, $"models/{run}", [new DatasetPerplexity("wikitext2", ppl, 256, "wikitext2-joined-windows", 1000, 4)], 2.5);

    public static EventToAppend[] Wrap(params object[] data) => data.Select(d => new EventToAppend(d)).ToArray();
}
