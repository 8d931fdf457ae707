using System.Numerics;

namespace PrunePipeline.Tensors;

/// <summary>Finds NaN/±Inf in a buffer (vectorised: x − x is 0 for finite x and NaN otherwise).</summary>
public static class Finite
{
    /// <summary>Index of the first NaN or ±Inf in <paramref name="values"/>, or −1 when all are finite.</summary>
    public static long FirstNonFinite(ReadOnlySpan<float> values)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var acc = Vector<float>.Zero;
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(values.Slice(i, Vector<float>.Count));
                acc += v - v;
            }
            // Something is non-finite: find where with the scalar loop; else only the tail is left to check.
            if (!Vector.EqualsAll(acc, Vector<float>.Zero)) i = 0;
        }
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }
}
