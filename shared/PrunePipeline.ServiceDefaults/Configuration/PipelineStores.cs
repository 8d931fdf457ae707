using PrunePipeline.Artifacts;
using PrunePipeline.EventStore;
using PrunePipeline.EventStore.Marten;

namespace PrunePipeline.ServiceDefaults.Configuration;

/// <summary>Creates the artifact and event stores that <see cref="PipelineOptions"/> describe.</summary>
public static class PipelineStores
{
    /// <summary>The configured artifact store (for S3, creating the bucket when asked to).</summary>
    public static async Task<IArtifactStore> CreateArtifactStoreAsync(ArtifactOptions options, CancellationToken ct = default)
    {
        switch (options.Store)
        {
            case ArtifactStoreKind.Folder:
                return new FolderArtifactStore(options.FolderPath);
            case ArtifactStoreKind.S3:
                var s3 = options.S3;
                var store = S3ArtifactStore.Create(new S3ArtifactStoreOptions(s3.ServiceUrl!, s3.Bucket, s3.AccessKey!, s3.SecretKey!, s3.Region));
                if (s3.CreateBucket) await store.EnsureBucketAsync(ct);
                return store;
            default:
                throw new InvalidOperationException($"artifact store '{options.Store}' is unknown.");
        }
    }

    /// <summary>The configured event store, with its schema created.</summary>
    public static async Task<IEventStore> CreateEventStoreAsync(EventStoreOptions options, CancellationToken ct = default)
    {
        IEventStore store = options.Store switch
        {
            EventStoreKind.Sqlite => new SqliteEventStore(options.SqlitePath),
            EventStoreKind.Postgres => new MartenEventStore(options.PostgresConnectionString!, options.PostgresSchema),
            _ => throw new InvalidOperationException($"event store '{options.Store}' is unknown."),
        };
        await store.InitializeAsync(ct);
        return store;
    }
}
