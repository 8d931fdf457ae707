namespace PrunePipeline.Model.Io;

/// <summary>A .npy array read into float32 (C order), with its shape and the dtype it was stored in.</summary>
public sealed record NpyArray(float[] Data, int[] Shape, NpyDtype Dtype)
{
    public int Rows => Shape.Length == 2 ? Shape[0] : throw new InvalidOperationException("not a 2-D array");
    public int Cols => Shape.Length == 2 ? Shape[1] : throw new InvalidOperationException("not a 2-D array");
}
