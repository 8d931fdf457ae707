using PrunePipeline.Contracts;
using PrunePipeline.ServiceDefaults.Configuration;

namespace PrunePipeline.ServiceDefaults.Trust;

/// <summary>
/// Which files a worker may open: model directories under <c>Pipeline:Roots:Models</c>, data files under
/// <c>Pipeline:Roots:Data</c>. A path is resolved like realpath(3) — each symlink followed where it occurs, '..' applied
/// to the resolved parent — so neither <c>root/../etc</c> nor <c>root/link-to-etc</c> nor a model directory whose
/// <c>config.json</c> links to <c>/etc/shadow</c> gets through. Checked before anything is opened.
/// </summary>
public sealed class PathRoots
{
    const int MaxLinks = 40; // as Linux's MAXSYMLINKS: a cycle is an error, not a hang

    readonly IReadOnlyList<string>? _models;
    readonly IReadOnlyList<string>? _data;
    readonly bool _unrestricted;

    public PathRoots(PipelineOptions options)
    {
        _models = Parse(options.Roots.Models);
        _data = Parse(options.Roots.Data);
        // Embedded: the in-memory bus carries only this process's own messages, so an unset root means "anything".
        _unrestricted = options.Mode == PipelineMode.Embedded;
    }

    /// <summary>Checks a model directory and every file directly in it (safetensors shards are often symlinks, e.g.
    /// into a Hugging Face cache's blobs/, which is fine while that cache is under the root too).</summary>
    /// <exception cref="PathOutsideRootsException">It, or a file in it, resolves outside every model root.</exception>
    public void CheckModel(string directory)
    {
        var resolved = Check(directory, _models, "Models", "model directory");
        if (resolved is null || !Directory.Exists(resolved)) return; // a missing directory is reported by the reader
        foreach (var file in Directory.EnumerateFileSystemEntries(directory))
            Check(file, _models, "Models", "model file");
    }

    /// <summary>Checks a calibration or evaluation data file.</summary>
    /// <exception cref="PathOutsideRootsException">It resolves outside every data root.</exception>
    public void CheckData(string file) => Check(file, _data, "Data", "data file");

    /// <summary>Checks every path of a request (the coordinator, before it opens the model's config.json).</summary>
    public void CheckRequest(PruneRequested request)
    {
        CheckModel(request.ModelLocation);
        CheckData(request.Calibration.Path);
        foreach (var file in request.Evaluation.Datasets.Values) CheckData(file);
        foreach (var file in request.Finetune?.Files(request.Calibration) ?? []) CheckData(file);
    }

    /// <summary>The canonical path: absolute, no '.', '..' or symlink left (missing tail components are kept as given).</summary>
    public static string Resolve(string path) => Resolve(path, 0);

    string? Check(string path, IReadOnlyList<string>? roots, string key, string what)
    {
        if (roots is null)
        {
            if (_unrestricted) return null;
            throw new PathOutsideRootsException(
                $"{what} '{path}' refused: Pipeline:Roots:{key} is not set (env Pipeline__Roots__{key}); a distributed worker opens files only under configured roots.");
        }
        if (string.IsNullOrWhiteSpace(path)) throw new PathOutsideRootsException($"{what} is empty.");
        var resolved = Resolve(path);
        if (!roots.Any(r => IsUnder(resolved, r)))
            throw new PathOutsideRootsException(
                $"{what} '{path}' (resolves to '{resolved}') is outside Pipeline:Roots:{key} ({string.Join(":", roots)}).");
        return resolved;
    }

    static bool IsUnder(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal);

    static IReadOnlyList<string>? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        return [.. value.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => Resolve(r, 0))];
    }

    static string Resolve(string path, int links)
    {
        var full = Path.IsPathRooted(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path);
        var current = "/";
        foreach (var part in full.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/"; // the parent of an already resolved path
                continue;
            }
            var next = current == "/" ? "/" + part : current + "/" + part;
            var target = new FileInfo(next).LinkTarget; // lstat + readlink; null when not a link (or missing)
            if (target is not null)
            {
                if (links >= MaxLinks) throw new PathOutsideRootsException($"'{path}': too many levels of symbolic links.");
                next = Resolve(Path.IsPathRooted(target) ? target : current + "/" + target, links + 1);
            }
            current = next;
        }
        return current;
    }
}
