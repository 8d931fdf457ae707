namespace PrunePipeline.Tokenizers.Tests;

/// <summary>Locates ../shared next to the repository root (the folder holding PrunePipeline.sln).</summary>
internal static class TestPaths
{
    public static string Shared(params string[] parts) => RepoPaths.Shared(parts);

    public static string Tok512 => Shared("models", "stories260K", "tok512.bin");

    public static string Llama2Dir => Shared("models", "llama2-tokenizer-32000");

    public static string WikiText => Shared("data", "wikitext-2", "wiki.test.raw");

    public static string C4Jsonl => Shared("data", "c4", "c4-validation.00000-of-00008.first1025.text-only.jsonl");

    public static string ByteLevelDir(string family) => Shared("models", "tokenizers", family);

    public static string TokenizerVectors => Shared("models", "tokenizers", "vectors.json");

    public static string TinyStories => Shared("data", "tinystories", "tinystories_val_first1000.eot.txt");
}
