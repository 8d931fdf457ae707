using PrunePipeline.ServiceDefaults.Configuration;
using PrunePipeline.ServiceDefaults.Trust;

namespace PrunePipeline.ServiceDefaults.Tests;

/// <summary>Workers open only files under Pipeline:Roots, with symlinks and '..' resolved the way the kernel resolves them.</summary>
public sealed class PathRootsTests : IDisposable
{
    readonly string _dir = PipelineTestData.TempDir("roots");
    readonly string _models;
    readonly string _data;
    readonly string _outside;

    public PathRootsTests()
    {
        _models = Directory.CreateDirectory(Path.Combine(_dir, "models")).FullName;
        _data = Directory.CreateDirectory(Path.Combine(_dir, "data")).FullName;
        _outside = Directory.CreateDirectory(Path.Combine(_dir, "outside")).FullName;
        File.WriteAllText(Path.Combine(_outside, "shadow"), "root:SECRET:");
        Directory.CreateDirectory(Path.Combine(_models, "m"));
        File.WriteAllText(Path.Combine(_models, "m", "config.json"), "{}");
        File.WriteAllText(Path.Combine(_data, "c4.jsonl"), "{}");
    }

    PathRoots Distributed(string? models, string? data) => new(new PipelineOptions
    {
        Mode = PipelineMode.Distributed,
        Roots = new RootsOptions { Models = models, Data = data },
    });

    [Fact]
    public void Files_under_the_roots_are_allowed()
    {
        var roots = Distributed(_models, _data);
        roots.CheckModel(Path.Combine(_models, "m"));
        roots.CheckData(Path.Combine(_data, "c4.jsonl"));
        roots.CheckData(Path.Combine(_data, ".", "c4.jsonl"));
    }

    [Fact]
    public void Dot_dot_and_symlinks_that_leave_the_root_are_refused_naming_the_path_not_the_content()
    {
        var roots = Distributed(_models, _data);
        var up = Path.Combine(_data, "..", "outside", "shadow");
        var e = Assert.Throws<PathOutsideRootsException>(() => roots.CheckData(up));
        Assert.Contains(up, e.Message);
        Assert.Contains(Path.Combine(_outside, "shadow"), e.Message); // where it resolves to
        Assert.DoesNotContain("SECRET", e.Message);

        File.CreateSymbolicLink(Path.Combine(_data, "link"), Path.Combine(_outside, "shadow"));
        Assert.Throws<PathOutsideRootsException>(() => roots.CheckData(Path.Combine(_data, "link")));

        // root/dirlink/../x: the kernel applies '..' to the link's TARGET, so this is outside/x, not root/x.
        Directory.CreateSymbolicLink(Path.Combine(_data, "dirlink"), Path.Combine(_outside));
        // (A lexical normalisation would say root/c4.jsonl, which exists and is allowed.)
        Assert.Equal(Path.Combine(_dir, "c4.jsonl"), PathRoots.Resolve(Path.Combine(_data, "dirlink", "..", "c4.jsonl")));
        Assert.Throws<PathOutsideRootsException>(() => roots.CheckData(Path.Combine(_data, "dirlink", "..", "c4.jsonl")));

        Assert.Throws<PathOutsideRootsException>(() => roots.CheckModel("/etc"));
        Assert.Throws<PathOutsideRootsException>(() => roots.CheckData(Path.Combine(_models, "m", "config.json"))); // a model file is not data
    }

    [Fact]
    public void A_model_directory_under_the_root_with_a_file_linking_outside_is_refused()
    {
        var roots = Distributed(_models, _data);
        var dir = Directory.CreateDirectory(Path.Combine(_models, "linked")).FullName;
        File.CreateSymbolicLink(Path.Combine(dir, "config.json"), Path.Combine(_outside, "shadow"));
        var e = Assert.Throws<PathOutsideRootsException>(() => roots.CheckModel(dir));
        Assert.Contains("config.json", e.Message);
        // A link that stays under the root (a Hugging Face cache's blobs/) is fine.
        var ok = Directory.CreateDirectory(Path.Combine(_models, "snapshot")).FullName;
        File.CreateSymbolicLink(Path.Combine(ok, "config.json"), Path.Combine(_models, "m", "config.json"));
        roots.CheckModel(ok);
    }

    [Fact]
    public void A_link_cycle_is_an_error_not_a_hang()
    {
        var a = Path.Combine(_data, "a");
        var b = Path.Combine(_data, "b");
        File.CreateSymbolicLink(a, b);
        File.CreateSymbolicLink(b, a);
        Assert.Throws<PathOutsideRootsException>(() => Distributed(_models, _data).CheckData(a));
    }

    [Fact]
    public void Unset_roots_refuse_everything_when_distributed_and_nothing_when_embedded()
    {
        var e = Assert.Throws<PathOutsideRootsException>(() => Distributed(null, null).CheckModel(Path.Combine(_models, "m")));
        Assert.Contains("Pipeline:Roots:Models is not set", e.Message);
        Assert.Throws<PathOutsideRootsException>(() => Distributed(_models, null).CheckData(Path.Combine(_data, "c4.jsonl")));
        new PathRoots(new PipelineOptions()).CheckData(Path.Combine(_outside, "shadow"));
    }

    [Fact]
    public void Several_roots_are_separated_like_PATH()
    {
        var roots = Distributed(_outside + ":" + _models, _data);
        roots.CheckModel(Path.Combine(_models, "m"));
        Assert.Throws<PathOutsideRootsException>(() => roots.CheckModel(_dir)); // the parent of a root is not under it
        Assert.Throws<PathOutsideRootsException>(() => roots.CheckData(_data + "-sibling/x")); // nor a sibling sharing its prefix
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
