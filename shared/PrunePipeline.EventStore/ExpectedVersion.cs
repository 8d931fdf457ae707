namespace PrunePipeline.EventStore;

/// <summary>Special values of the expected version of an append.</summary>
public static class ExpectedVersion
{
    /// <summary>The stream must not exist yet.</summary>
    public const long NoStream = 0;

    /// <summary>No check: append after whatever is there (still atomic and idempotent).</summary>
    public const long Any = -1;
}
