using System.Numerics.Tensors;

namespace PrunePipeline.Model.Kernels;

/// <summary>
/// Rotary position embedding in the HF "rotate_half" layout: within a head of size D (half = D/2), for i &lt; half,
/// θ_i = pos · base^(−2i/D), out[i] = x[i]·cos θ_i − x[i+half]·sin θ_i, out[i+half] = x[i+half]·cos θ_i + x[i]·sin θ_i.
/// Tables cos/sin are maxPositions × half, computed in double once.
/// </summary>
public sealed class RotaryEmbedding
{
    private readonly float[] _cos;
    private readonly float[] _sin;
    private readonly float[] _negSin;

    public RotaryEmbedding(int headDim, double theta, int maxPositions)
    {
        if (headDim <= 0 || headDim % 2 != 0) throw new ArgumentException($"head_dim must be positive and even, got {headDim}", nameof(headDim));
        HeadDim = headDim;
        Theta = theta;
        MaxPositions = maxPositions;
        var half = headDim / 2;
        _cos = new float[maxPositions * half];
        _sin = new float[maxPositions * half];
        _negSin = new float[maxPositions * half];
        for (var i = 0; i < half; i++)
        {
            var invFreq = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
            for (var p = 0; p < maxPositions; p++)
            {
                var angle = p * invFreq;
                _cos[p * half + i] = (float)Math.Cos(angle);
                _sin[p * half + i] = (float)Math.Sin(angle);
                _negSin[p * half + i] = -_sin[p * half + i];
            }
        }
    }

    /// <summary>cos(p·θᵢ), MaxPositions × HeadDim/2 (what the torch forward uploads).</summary>
    internal float[] CosTable => _cos;

    /// <summary>sin(p·θᵢ), MaxPositions × HeadDim/2.</summary>
    internal float[] SinTable => _sin;

    public int HeadDim { get; }
    public double Theta { get; }
    public int MaxPositions { get; }

    /// <summary>
    /// Rotates x (T × heads·D, token-major, positions 0..T−1) into dst laid out head-major (heads × T × D).
    /// </summary>
    public void ApplyToHeadMajor(ReadOnlySpan<float> x, Span<float> dst, int tokens, int heads)
    {
        var d = HeadDim;
        var half = d / 2;
        var width = heads * d;
        if (tokens > MaxPositions) throw new ArgumentException($"{tokens} tokens exceed the {MaxPositions} positions of the rotary table", nameof(tokens));
        if (x.Length < (long)tokens * width || dst.Length < (long)tokens * width) throw new ArgumentException("x/dst too short");
        for (var t = 0; t < tokens; t++)
        {
            var cos = _cos.AsSpan(t * half, half);
            var sin = _sin.AsSpan(t * half, half);
            var negSin = _negSin.AsSpan(t * half, half);
            for (var h = 0; h < heads; h++)
            {
                var src = x.Slice(t * width + h * d, d);
                var o = dst.Slice((h * tokens + t) * d, d);
                var x1 = src[..half];
                var x2 = src[half..];
                var o1 = o[..half];
                var o2 = o[half..];
                TensorPrimitives.Multiply(x1, cos, o1);
                TensorPrimitives.MultiplyAdd(x2, negSin, o1, o1);
                TensorPrimitives.Multiply(x2, cos, o2);
                TensorPrimitives.MultiplyAdd(x1, sin, o2, o2);
            }
        }
    }
}
