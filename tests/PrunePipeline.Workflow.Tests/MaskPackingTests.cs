using PrunePipeline.Workflow.Output;

namespace PrunePipeline.Workflow.Tests;

public class MaskPackingTests
{
    [Fact]
    public void LayoutIsLsbFirstPerRow()
    {
        // Row 0 keeps columns 0 and 3 (bits 0, 3) and 9 (byte 1 bit 1); row 1 keeps column 11 only.
        var mask = new byte[2 * 12];
        mask[0] = mask[3] = mask[9] = 1;
        mask[12 + 11] = 1;
        var packed = new byte[2 * 2];
        MaskPacking.Pack(mask, packed, 2, 12);
        Assert.Equal(new byte[] { 0b1001, 0b10, 0, 0b1000 }, packed);
    }

    [Fact]
    public void RoundTrips()
    {
        var rng = new Random(5);
        foreach (var cols in new[] { 4, 8, 12, 20, 64 })
        {
            var mask = Enumerable.Range(0, 3 * cols).Select(_ => (byte)rng.Next(2)).ToArray();
            var packed = new byte[3 * MaskPacking.BytesPerRow(cols)];
            MaskPacking.Pack(mask, packed, 3, cols);
            var back = new byte[mask.Length];
            MaskPacking.Unpack(packed, back, 3, cols);
            Assert.Equal(mask, back);
        }
    }
}
