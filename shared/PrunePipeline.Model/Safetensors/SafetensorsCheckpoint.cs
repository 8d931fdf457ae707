using System.Text.Json;
using PrunePipeline.Errors;

namespace PrunePipeline.Model.Safetensors;

/// <summary>
/// The weights of a model directory: either <c>model.safetensors</c> or a sharded checkpoint described by
/// <c>model.safetensors.index.json</c> (its <c>weight_map</c> names the shard of each tensor). Shards are mapped
/// lazily on first use; tensors are read one at a time.
/// </summary>
public sealed class SafetensorsCheckpoint : IDisposable
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly string _directory;
    private readonly Dictionary<string, string> _shardOf;
    private readonly Dictionary<string, SafetensorsFile> _open = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    private SafetensorsCheckpoint(string directory, Dictionary<string, string> shardOf, IEnumerable<SafetensorsFile> opened)
    {
        _directory = directory;
        _shardOf = shardOf;
        foreach (var f in opened) _open[System.IO.Path.GetFileName(f.Path)] = f;
    }

    /// <summary>Tensor names in the checkpoint.</summary>
    public IReadOnlyCollection<string> TensorNames => _shardOf.Keys;

    /// <summary>Opens the checkpoint of <paramref name="directory"/>; prefers the index when both exist.</summary>
    public static SafetensorsCheckpoint Open(string directory)
    {
        var index = System.IO.Path.Combine(directory, IndexFileName);
        if (File.Exists(index)) return OpenIndex(directory, index);
        var single = System.IO.Path.Combine(directory, SingleFileName);
        if (!File.Exists(single))
            throw new FileNotFoundException($"no {SingleFileName} or {IndexFileName} in {directory}", single);
        var file = SafetensorsFile.Open(single);
        var map = file.Tensors.Keys.ToDictionary(k => k, _ => SingleFileName, StringComparer.Ordinal);
        return new SafetensorsCheckpoint(directory, map, [file]);
    }

    private static SafetensorsCheckpoint OpenIndex(string directory, string index)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(StrictUtf8.ReadAllText(index));
            if (!doc.RootElement.TryGetProperty("weight_map", out var wm) || wm.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{index}: missing object 'weight_map'");
            foreach (var p in wm.EnumerateObject())
            {
                var shard = p.Value.GetString() ?? throw new InvalidDataException($"{index}: weight_map['{p.Name}'] is not a file name");
                if (shard.Contains('/') || shard.Contains('\\') || shard == "..")
                    throw new InvalidDataException($"{index}: weight_map['{p.Name}'] = '{shard}' must be a file name in the same directory");
                map[p.Name] = shard;
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{index}: not valid JSON ({e.Message})");
        }
        foreach (var shard in map.Values.Distinct())
        {
            var path = System.IO.Path.Combine(directory, shard);
            if (!File.Exists(path)) throw new FileNotFoundException($"{index} names shard {shard}, which is missing", path);
        }
        return new SafetensorsCheckpoint(directory, map, []);
    }

    /// <summary>Whether the checkpoint has tensor <paramref name="name"/>.</summary>
    public bool Contains(string name) => _shardOf.ContainsKey(name);

    /// <summary>The header entry of <paramref name="name"/>.</summary>
    public TensorInfo Info(string name) => FileOf(name).Info(name);

    /// <summary>Reads one tensor as fp32.</summary>
    public float[] Read(string name) => FileOf(name).Read(name);

    /// <summary>One tensor as a CPU torch tensor in its stored dtype (see <see cref="SafetensorsFile.ReadTensor"/>).</summary>
    public TorchSharp.torch.Tensor ReadTensor(string name) => FileOf(name).ReadTensor(name);

    private SafetensorsFile FileOf(string name)
    {
        if (!_shardOf.TryGetValue(name, out var shard))
            throw new InvalidDataException($"tensor '{name}' not found in the checkpoint of {_directory}");
        lock (_gate)
        {
            if (!_open.TryGetValue(shard, out var file))
            {
                file = SafetensorsFile.Open(System.IO.Path.Combine(_directory, shard));
                _open[shard] = file;
            }
            if (!file.Tensors.ContainsKey(name))
                throw new InvalidDataException($"tensor '{name}' not found in {file.Path} (the index names this shard for it)");
            return file;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var f in _open.Values) f.Dispose();
            _open.Clear();
        }
    }
}
