using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;

namespace PrunePipeline.Artifacts;

/// <summary>
/// The distributed artifact store on any S3 API (MinIO in docker-compose, moto in tests). S3 makes an object
/// visible only when its PUT (or multipart completion) succeeds, so readers never see a partial object; large
/// objects go up in parts through <see cref="TransferUtility"/> from a seekable stream, and reads stream the body.
/// </summary>
public sealed class S3ArtifactStore : IArtifactStore, IDisposable
{
    readonly IAmazonS3 _client;
    readonly bool _ownsClient;
    readonly TransferUtility _transfer;

    /// <summary>Uses an existing client (not disposed by this store).</summary>
    public S3ArtifactStore(IAmazonS3 client, string bucket)
        : this(client, bucket, ownsClient: false) { }

    S3ArtifactStore(IAmazonS3 client, string bucket, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        _client = client;
        _ownsClient = ownsClient;
        Bucket = bucket;
        _transfer = new TransferUtility(client);
    }

    /// <summary>Connects with path-style addressing (what MinIO and moto need) and the given credentials.</summary>
    public static S3ArtifactStore Create(S3ArtifactStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out _))
            throw new ArgumentException($"S3 service URL '{options.ServiceUrl}' is not an absolute URL (e.g. http://127.0.0.1:9000).");
        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl,
            ForcePathStyle = true,
            AuthenticationRegion = options.Region,
        };
        var client = new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
        return new S3ArtifactStore(client, options.Bucket, ownsClient: true);
    }

    /// <summary>The bucket that holds the artifacts.</summary>
    public string Bucket { get; }

    /// <summary>Creates the bucket when it does not exist yet (idempotent).</summary>
    public async Task EnsureBucketAsync(CancellationToken ct = default)
    {
        try
        {
            await _client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket }, ct);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
            // Already there.
        }
    }

    public async Task PutAsync(string key, Stream content, CancellationToken ct = default)
    {
        ArtifactKeys.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        if (content.CanSeek)
        {
            await UploadAsync(key, content, ct);
            return;
        }
        // S3 needs the length up front (and parts need a seekable source): spool a forward-only stream to disk first.
        var spool = Path.Combine(Path.GetTempPath(), $"prune-s3-{Guid.NewGuid():N}.tmp");
        await using var file = new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        await content.CopyToAsync(file, 1 << 20, ct);
        file.Position = 0;
        await UploadAsync(key, file, ct);
    }

    async Task UploadAsync(string key, Stream seekable, CancellationToken ct)
    {
        var request = new TransferUtilityUploadRequest
        {
            BucketName = Bucket,
            Key = key,
            InputStream = seekable,
            AutoCloseStream = false,
            AutoResetStreamPosition = false,
        };
        await Translate(key, () => _transfer.UploadAsync(request, ct));
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken ct = default)
    {
        ArtifactKeys.Validate(key);
        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = key }, ct);
        }
        catch (AmazonS3Exception e) when (IsNotFound(e))
        {
            throw new ArtifactNotFoundException(key, Describe());
        }
        return new S3ObjectStream(response);
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct = default)
    {
        ArtifactKeys.Validate(key);
        try
        {
            await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key }, ct);
            return true;
        }
        catch (AmazonS3Exception e) when (IsNotFound(e))
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken ct = default)
    {
        ArtifactKeys.ValidatePrefix(prefix);
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix };
        while (true)
        {
            var response = await Translate(prefix, () => _client.ListObjectsV2Async(request, ct));
            if (response.S3Objects != null) keys.AddRange(response.S3Objects.Select(o => o.Key));
            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken)) break;
            request.ContinuationToken = response.NextContinuationToken;
        }
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    public async Task DeleteAsync(string key, CancellationToken ct = default)
    {
        ArtifactKeys.Validate(key);
        await Translate(key, () => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key }, ct));
    }

    public void Dispose()
    {
        _transfer.Dispose();
        if (_ownsClient) _client.Dispose();
    }

    public override string ToString() => Describe();

    string Describe() => $"S3 bucket '{Bucket}' at {_client.Config.ServiceURL}";

    static bool IsNotFound(AmazonS3Exception e) =>
        e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode is not "NoSuchBucket";

    // Turns S3 errors into one line that names the key and the bucket (a missing bucket is the usual setup mistake).
    async Task<T> Translate<T>(string key, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonS3Exception e)
        {
            throw new IOException($"S3 request for '{key}' in {Describe()} failed: {e.ErrorCode ?? e.StatusCode.ToString()}: {e.Message}", e);
        }
    }

    Task Translate(string key, Func<Task> call) => Translate(key, async () => { await call(); return 0; });
}
