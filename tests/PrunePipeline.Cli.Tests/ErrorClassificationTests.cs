using PrunePipeline.Errors;

namespace PrunePipeline.Cli.Tests;

/// <summary>The CLI prints bad input and environment faults as one line, and keeps the stack trace of bugs (an
/// ObjectDisposedException is not the user's fault).</summary>
public sealed class ErrorClassificationTests
{
    [Fact]
    public void UserFacingMatchesTheSharedClassification()
    {
        Assert.True(VerbRunner.IsUserFacing(new CorruptFileException("/d/x.gz", "truncated")));
        Assert.True(VerbRunner.IsUserFacing(new ServiceUnavailableException("PostgreSQL refused")));
        Assert.True(VerbRunner.IsUserFacing(new InvalidDataException("bad")));
        Assert.False(VerbRunner.IsUserFacing(new ObjectDisposedException("channel")));
        Assert.False(VerbRunner.IsUserFacing(new InvalidOperationException("state")));
        Assert.False(VerbRunner.IsUserFacing(new NullReferenceException()));
    }
}
