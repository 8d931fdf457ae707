namespace PrunePipeline.Contracts;

/// <summary>The wire values of <see cref="PruneRequested.Mode"/>.</summary>
public static class PruneModes
{
    /// <summary>Block k is calibrated on the outputs of the already pruned blocks 0..k−1.</summary>
    public const string Sequential = "sequential";

    /// <summary>One calibration pass on the dense model, then every layer at once.</summary>
    public const string OneShot = "one-shot";
}
