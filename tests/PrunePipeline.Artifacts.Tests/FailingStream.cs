namespace PrunePipeline.Artifacts.Tests;

/// <summary>A source that breaks part-way, like a worker that dies mid-upload.</summary>
internal sealed class FailingStream(byte[] bytes, int failAfter) : ForwardOnlyStream(bytes)
{
    protected override void BeforeRead(int position)
    {
        if (position >= failAfter) throw new IOException("simulated failure while reading the source");
    }
}
