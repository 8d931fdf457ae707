namespace PrunePipeline.Contracts;

/// <summary>The wire values of <see cref="CalibrationSettings.Sampler"/> (the CLI's tokens, not CLR enum names).</summary>
public static class Samplers
{
    public const string Packed = "packed";
    public const string RandomWindow = "random-window";
}
