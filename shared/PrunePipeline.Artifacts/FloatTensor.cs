namespace PrunePipeline.Artifacts;

/// <summary>A float32 tensor read back from the store: row-major <see cref="Data"/> of the given <see cref="Shape"/>.</summary>
public sealed record FloatTensor(int[] Shape, float[] Data);
