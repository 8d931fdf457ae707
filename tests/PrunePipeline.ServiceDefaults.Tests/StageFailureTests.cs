using PrunePipeline.Artifacts;
using PrunePipeline.Errors;
using PrunePipeline.ServiceDefaults;

namespace PrunePipeline.ServiceDefaults.Tests;

/// <summary>Issue 9: only our bad-input types (and unmistakable data errors) fail a run for good; infrastructure faults
/// — including InvalidOperationException and ObjectDisposedException — are retried.</summary>
public sealed class StageFailureTests
{
    public static TheoryData<Exception> BadInput() =>
    [
        new BadInputException("x"), new CorruptFileException("/m/model.safetensors", "tensor 'w' contains NaN"),
        new InvalidSettingException("beta", "must be > 1"), new ResourceLimitException("needs 9 GiB"), new UnsupportedInputException("dtype I8"),
        new InvalidDataException("gzip"), new FileNotFoundException("no model"), new DirectoryNotFoundException("no dir"),
        new System.Text.Json.JsonException("bad json"), new ArtifactNotFoundException("runs/1/h.bin", "folder"),
        new AggregateException(new BadInputException("from a Parallel.For worker")),
    ];

    public static TheoryData<Exception> Retryable() =>
    [
        new InvalidOperationException("connection pool"), new ObjectDisposedException("channel"), new ServiceUnavailableException("PostgreSQL down"),
        new IOException("disk full"), new TimeoutException(), new NullReferenceException(), new ArgumentException("kernel length"),
        new AggregateException(new ObjectDisposedException("channel")),
    ];

    [Theory]
    [MemberData(nameof(BadInput))]
    public void BadInputFailsTheRun(Exception e)
    {
        Assert.True(StageFailure.IsBadInput(e));
        // the CLI's classification is the same one
        Assert.True(ErrorClassification.IsBadInput(e));
    }

    [Theory]
    [MemberData(nameof(Retryable))]
    public void InfrastructureFaultsAreRetried(Exception e)
    {
        Assert.False(StageFailure.IsBadInput(e));
        Assert.False(ErrorClassification.IsBadInput(e));
    }
}
