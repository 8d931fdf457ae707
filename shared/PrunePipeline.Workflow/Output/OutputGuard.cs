using System.Text.Json;
using PrunePipeline.Errors;

namespace PrunePipeline.Workflow.Output;

/// <summary>
/// The one rule every verb that writes follows, so that no command can destroy a user's file:
/// <list type="bullet">
/// <item>An output never is, contains or lies inside an input (paths compared after resolving symlinks and "..").</item>
/// <item>An existing output directory is replaced only with force, and only if it is a previous output of ours: it
/// holds our marker file <see cref="MarkerFileName"/> and nothing that the marker does not list.</item>
/// <item>An existing output file is replaced only with force (and never when it is an input).</item>
/// <item>Everything is written to a fresh temporary sibling first and renamed into place, so the output is either
/// untouched or complete; an existing folder of the temporary's name is never deleted.</item>
/// </list>
/// Checks run before any work (fail fast) and again just before the rename (the disk may have changed meanwhile).
/// </summary>
public static class OutputGuard
{
    /// <summary>Written into every output directory we create: lists the entries we wrote.</summary>
    public const string MarkerFileName = "prunepipeline-output.json";

    private const string MarkerFormat = "prunepipeline-output/1";

    /// <summary>Refuses an output directory that would destroy an input or something not ours; returns its resolved path.</summary>
    /// <param name="option">The option that named it (for the message), e.g. "--out".</param>
    public static string CheckDirectory(string outDir, bool force, IEnumerable<string> inputs, string option = "--out")
    {
        var resolved = PathResolver.Resolve(outDir);
        RefuseInputs(resolved, inputs, option, outDir);
        if (File.Exists(resolved)) throw new OutputRefusedException($"{option} {outDir} is a file, not a directory.");
        if (!Directory.Exists(resolved) || !Directory.EnumerateFileSystemEntries(resolved).Any()) return resolved;
        if (!force)
            throw new OutputRefusedException($"{option} {outDir} exists and is not empty; choose another directory or pass --force to replace a previous output of prunectl.");
        var foreign = ForeignEntries(resolved);
        if (foreign is not null)
            throw new OutputRefusedException($"{option} {outDir} is not a previous output of prunectl ({foreign}); --force only replaces our own outputs, so remove it yourself or choose another directory.");
        return resolved;
    }

    /// <summary>Refuses an output file that is an input, a directory, or an existing file without force; returns its resolved path.</summary>
    public static string CheckFile(string path, bool force, IEnumerable<string> inputs, string option)
    {
        var resolved = PathResolver.Resolve(path);
        RefuseInputs(resolved, inputs, option, path);
        if (Directory.Exists(resolved)) throw new OutputRefusedException($"{option} {path} is a directory, not a file.");
        if (File.Exists(resolved) && !force)
            throw new OutputRefusedException($"{option} {path} exists; choose another path or pass --force to replace it.");
        return resolved;
    }

    /// <summary>A fresh, empty temporary directory next to <paramref name="resolvedOutDir"/> (same file system, so the final rename is atomic).</summary>
    public static string CreateTempDirectory(string resolvedOutDir)
    {
        var parent = Path.GetDirectoryName(resolvedOutDir) ?? throw new OutputRefusedException($"cannot write to the root directory {resolvedOutDir}.");
        Directory.CreateDirectory(parent);
        while (true)
        {
            var tmp = Path.Combine(parent, $".{Path.GetFileName(resolvedOutDir)}.tmp-{Guid.NewGuid():N}"[..^24]);
            if (Directory.Exists(tmp) || File.Exists(tmp)) continue;
            Directory.CreateDirectory(tmp);
            return tmp;
        }
    }

    /// <summary>Writes the marker into <paramref name="tmpDir"/>, re-checks the destination and renames the temporary
    /// into place (an old output of ours is moved aside first and deleted only after the new one is in place).</summary>
    public static void Publish(string tmpDir, string outDir, bool force, IEnumerable<string> inputs, string option = "--out")
    {
        var entries = Directory.EnumerateFileSystemEntries(tmpDir).Select(e => Path.GetFileName(e)!).Where(n => n != MarkerFileName)
            .Order(StringComparer.Ordinal).ToList();
        File.WriteAllText(Path.Combine(tmpDir, MarkerFileName),
            JsonSerializer.Serialize(new Marker(MarkerFormat, entries), new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var resolved = CheckDirectory(outDir, force, inputs, option);
        string? aside = null;
        if (Directory.Exists(resolved))
        {
            aside = resolved + $".old-{Guid.NewGuid():N}"[..13];
            Directory.Move(resolved, aside);
        }
        Directory.Move(tmpDir, resolved);
        if (aside is not null) Directory.Delete(aside, recursive: true);
    }

    /// <summary>Deletes a temporary directory made by <see cref="CreateTempDirectory"/> (best effort, after a failure).</summary>
    public static void Discard(string tmpDir)
    {
        try { if (Directory.Exists(tmpDir)) Directory.Delete(tmpDir, recursive: true); }
        catch (IOException) { /* the error that got us here matters more */ }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Checks, fills a temporary sibling through <paramref name="write"/>, and publishes it as <paramref name="outDir"/>.</summary>
    public static T WriteDirectory<T>(string outDir, bool force, IReadOnlyList<string> inputs, Func<string, T> write)
    {
        var tmp = CreateTempDirectory(CheckDirectory(outDir, force, inputs));
        try
        {
            var result = write(tmp);
            Publish(tmp, outDir, force, inputs);
            return result;
        }
        catch
        {
            Discard(tmp);
            throw;
        }
    }

    /// <summary>Checks, writes through <paramref name="write"/> into a temporary sibling, and renames it over <paramref name="path"/>.</summary>
    public static void WriteFile(string path, bool force, IEnumerable<string> inputs, string option, Action<string> write)
    {
        var inputList = inputs.ToList();
        var resolved = CheckFile(path, force, inputList, option);
        var dir = Path.GetDirectoryName(resolved)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(resolved)}.tmp-{Guid.NewGuid():N}"[..^24]);
        try
        {
            write(tmp);
            CheckFile(path, force, inputList, option);
            File.Move(tmp, resolved, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Text variant of <see cref="WriteFile"/>.</summary>
    public static void WriteText(string path, string text, bool force, IEnumerable<string> inputs, string option) =>
        WriteFile(path, force, inputs, option, tmp => File.WriteAllText(tmp, text));

    private static void RefuseInputs(string resolvedOut, IEnumerable<string> inputs, string option, string given)
    {
        foreach (var input in inputs)
        {
            var resolvedInput = PathResolver.Resolve(input);
            if (resolvedInput == resolvedOut)
                throw new OutputRefusedException($"{option} {given} is the input {input}; refusing to overwrite an input.");
            if (PathResolver.IsSameOrUnder(resolvedInput, resolvedOut))
                throw new OutputRefusedException($"{option} {given} contains the input {input}; refusing to replace a folder that holds an input.");
            if (PathResolver.IsSameOrUnder(resolvedOut, resolvedInput))
                throw new OutputRefusedException($"{option} {given} lies inside the input {input}; refusing to write into an input.");
        }
    }

    /// <summary>Null when the directory is a previous output of ours; else why not.</summary>
    private static string? ForeignEntries(string dir)
    {
        var markerPath = Path.Combine(dir, MarkerFileName);
        if (!File.Exists(markerPath)) return $"it has no {MarkerFileName}";
        Marker? marker;
        try { marker = JsonSerializer.Deserialize<Marker>(File.ReadAllText(markerPath)); }
        catch (JsonException) { marker = null; }
        if (marker?.Format != MarkerFormat || marker.Entries is null) return $"its {MarkerFileName} is not ours";
        var ours = new HashSet<string>(marker.Entries, StringComparer.Ordinal) { MarkerFileName };
        var extra = Directory.EnumerateFileSystemEntries(dir).Select(e => Path.GetFileName(e)!).Where(n => !ours.Contains(n))
            .Order(StringComparer.Ordinal).ToList();
        return extra.Count == 0 ? null : $"it holds {string.Join(", ", extra.Take(3))}{(extra.Count > 3 ? $" and {extra.Count - 3} more" : "")}, which we did not write";
    }

    private sealed record Marker(
        [property: System.Text.Json.Serialization.JsonPropertyName("format")] string Format,
        [property: System.Text.Json.Serialization.JsonPropertyName("entries")] IReadOnlyList<string>? Entries);
}
