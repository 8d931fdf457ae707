using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;

namespace PrunePipeline.Artifacts;

/// <summary>
/// The distributed artifact store on any S3 API through the MinIO client (MinIO in docker-compose, moto in tests).
/// S3 makes an object visible only when its PUT (or multipart completion) succeeds, so readers never see a partial
/// object; the client uploads objects of 5 MiB and more in parts from a stream of known length, and reads stream the
/// body through <see cref="S3ObjectStream"/>. Reads are always whole-object: ranged GETs (<c>WithOffsetAndLength</c>)
/// throw <c>PartialContentException</c> in Minio 7.0.0.
/// </summary>
public sealed class S3ArtifactStore : IArtifactStore, IDisposable
{
    readonly IMinioClient _client;
    readonly bool _ownsClient;
    readonly string _endpoint;

    /// <summary>Uses an existing client (not disposed by this store).</summary>
    public S3ArtifactStore(IMinioClient client, string bucket)
        : this(client, bucket, ownsClient: false, endpoint: "the configured S3 endpoint") { }

    S3ArtifactStore(IMinioClient client, string bucket, bool ownsClient, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        _client = client;
        _ownsClient = ownsClient;
        _endpoint = endpoint;
        Bucket = bucket;
    }

    /// <summary>Connects with path-style addressing (what MinIO and moto need) and the given credentials.</summary>
    public static S3ArtifactStore Create(S3ArtifactStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new ArgumentException($"S3 service URL '{options.ServiceUrl}' is not an absolute http(s) URL (e.g. http://127.0.0.1:9000).");
        if (url.AbsolutePath is not ("" or "/"))
            throw new ArgumentException($"S3 service URL '{options.ServiceUrl}' has a path; give only scheme, host and port.");
        var client = new MinioClient()
            .WithEndpoint(url.Host, url.Port)
            .WithSSL(url.Scheme == "https")
            .WithCredentials(options.AccessKey, options.SecretKey)
            .WithRegion(options.Region)
            .Build();
        return new S3ArtifactStore(client, options.Bucket, ownsClient: true, endpoint: options.ServiceUrl);
    }

    /// <summary>The bucket that holds the artifacts.</summary>
    public string Bucket { get; }

    /// <summary>Creates the bucket when it does not exist yet (idempotent).</summary>
    public async Task EnsureBucketAsync(CancellationToken ct = default)
    {
        await Translate(Bucket, async () =>
        {
            if (await _client.BucketExistsAsync(new BucketExistsArgs().WithBucket(Bucket), ct)) return 0;
            try
            {
                await _client.MakeBucketAsync(new MakeBucketArgs().WithBucket(Bucket), ct);
            }
            catch (MinioException e) when (e.Message.Contains("BucketAlreadyOwnedByYou", StringComparison.Ordinal))
            {
                // Another process created it between the two calls.
            }
            return 0;
        });
    }

    public async Task PutAsync(string key, Stream content, CancellationToken ct = default)
    {
        ArtifactKeys.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        if (content.CanSeek)
        {
            await UploadAsync(key, content, content.Length - content.Position, ct);
            return;
        }
        // The client needs the length up front to size the parts (with an unknown length it sizes parts for a 5 TiB
        // object and buffers each one in memory): spool a forward-only stream to disk first.
        var spool = Path.Combine(Path.GetTempPath(), $"prune-s3-{Guid.NewGuid():N}.tmp");
        await using var file = new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        await content.CopyToAsync(file, 1 << 20, ct);
        file.Position = 0;
        await UploadAsync(key, file, file.Length, ct);
    }

    async Task UploadAsync(string key, Stream source, long length, CancellationToken ct)
    {
        var args = new PutObjectArgs()
            .WithBucket(Bucket)
            .WithObject(key)
            .WithStreamData(source)
            .WithObjectSize(length)
            .WithContentType("application/octet-stream");
        try
        {
            await Translate(key, () => _client.PutObjectAsync(args, ct));
        }
        catch
        {
            // A failed multipart upload leaves its parts on the server (invisible, but stored and billed): abort it.
            try
            {
                await _client.RemoveIncompleteUploadAsync(new RemoveIncompleteUploadArgs().WithBucket(Bucket).WithObject(key), CancellationToken.None);
            }
            catch (MinioException)
            {
                // Best effort; the upload's own error is the one to report.
            }
            throw;
        }
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken ct = default)
    {
        ArtifactKeys.Validate(key);
        try
        {
            return await S3ObjectStream.OpenAsync(_client, Bucket, key, ct);
        }
        catch (ObjectNotFoundException)
        {
            throw new ArtifactNotFoundException(key, Describe());
        }
        catch (MinioException e) when (e is not BucketNotFoundException && e.Message.Contains("NoSuchKey", StringComparison.Ordinal))
        {
            throw new ArtifactNotFoundException(key, Describe());
        }
        catch (MinioException e)
        {
            throw Failure(key, e);
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct = default)
    {
        ArtifactKeys.Validate(key);
        try
        {
            await _client.StatObjectAsync(new StatObjectArgs().WithBucket(Bucket).WithObject(key), ct);
            return true;
        }
        catch (ObjectNotFoundException)
        {
            return false;
        }
        catch (MinioException e)
        {
            throw Failure(key, e);
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken ct = default)
    {
        ArtifactKeys.ValidatePrefix(prefix);
        var keys = new List<string>();
        await Translate(prefix, async () =>
        {
            var args = new ListObjectsArgs().WithBucket(Bucket).WithPrefix(prefix).WithRecursive(true);
            await foreach (var item in _client.ListObjectsEnumAsync(args, ct))
                if (!item.IsDir) keys.Add(item.Key);
            return 0;
        });
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    public async Task DeleteAsync(string key, CancellationToken ct = default)
    {
        ArtifactKeys.Validate(key);
        await Translate(key, () => _client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(Bucket).WithObject(key), ct));
    }

    public void Dispose()
    {
        if (_ownsClient) _client.Dispose();
    }

    public override string ToString() => Describe();

    string Describe() => $"S3 bucket '{Bucket}' at {_endpoint}";

    // One line that names the key and the bucket (a missing bucket is the usual setup mistake).
    IOException Failure(string key, MinioException e) =>
        new($"S3 request for '{key}' in {Describe()} failed: {e.GetType().Name}: {e.Message}", e);

    async Task<T> Translate<T>(string key, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (MinioException e)
        {
            throw Failure(key, e);
        }
    }

    Task Translate(string key, Func<Task> call) => Translate(key, async () => { await call(); return 0; });
}
