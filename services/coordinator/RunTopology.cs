namespace PrunePipeline.Coordinator;

/// <summary>What the planner needs to know about a run's model: its decoder block count and a content fingerprint
/// (SHA-256 of config.json and the weights) that enters the calibration key.</summary>
public sealed record RunTopology(int Blocks, string ModelFingerprint);
