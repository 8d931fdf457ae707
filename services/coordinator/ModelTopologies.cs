using System.Collections.Concurrent;
using System.Security.Cryptography;
using PrunePipeline.Model;

namespace PrunePipeline.Coordinator;

/// <summary>Reads a model directory's block count and content fingerprint once per process (hashing the weights
/// costs about a second per GB; the cache is keyed by path, size and modification time).</summary>
public sealed class ModelTopologies
{
    readonly ConcurrentDictionary<string, RunTopology> _cache = new(StringComparer.Ordinal);

    public RunTopology Get(string modelDirectory)
    {
        var dir = Path.GetFullPath(modelDirectory);
        var configPath = Path.Combine(dir, "config.json");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"model directory {modelDirectory} has no config.json.", configPath);
        var files = Directory.EnumerateFiles(dir, "*.safetensors").Order(StringComparer.Ordinal).Prepend(configPath).Select(f => new FileInfo(f)).ToList();
        var stamp = string.Join('|', files.Select(f => $"{f.Name}:{f.Length}:{f.LastWriteTimeUtc.Ticks}"));
        return _cache.GetOrAdd(dir + "|" + stamp, _ =>
        {
            var config = LlamaConfig.Load(configPath);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var f in files)
            {
                sha.AppendData(System.Text.Encoding.UTF8.GetBytes(f.Name + "\0"));
                using var s = f.OpenRead();
                var buffer = new byte[1 << 20];
                int n;
                while ((n = s.Read(buffer)) > 0) sha.AppendData(buffer.AsSpan(0, n));
            }
            return new RunTopology(config.NumHiddenLayers, Convert.ToHexStringLower(sha.GetHashAndReset()));
        });
    }
}
