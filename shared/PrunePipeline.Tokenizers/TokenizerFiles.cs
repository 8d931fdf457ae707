using PrunePipeline.Errors;
using System.Text.Json;
using PrunePipeline.Tokenizers.Bpe;

namespace PrunePipeline.Tokenizers;

/// <summary>Finds, loads and writes tokenizer files.</summary>
public static class TokenizerFiles
{
    /// <summary>
    /// Order in which a model directory is searched. tokenizer.bin (the exact llama2.c original, which converted
    /// llama2.c models carry) comes before tokenizer.json so our own encoding of such models is the reference one.
    /// </summary>
    public static readonly IReadOnlyList<string> DirectoryCandidates = ["tokenizer.model", "tokenizer.bin", "tokenizer.json"];

    /// <summary>
    /// Loads a tokenizer from a file (<c>.model</c> SentencePiece, <c>.bin</c> llama2.c, <c>.json</c> HF) or from a model
    /// directory (first of <see cref="DirectoryCandidates"/> present).
    /// </summary>
    public static ITokenizer Load(string pathOrDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(pathOrDirectory);
        if (Directory.Exists(pathOrDirectory))
        {
            foreach (var name in DirectoryCandidates)
            {
                var candidate = Path.Combine(pathOrDirectory, name);
                if (File.Exists(candidate)) return Load(candidate);
            }

            throw new FileNotFoundException(
                $"no tokenizer in {pathOrDirectory}: looked for {string.Join(", ", DirectoryCandidates)}");
        }

        if (!File.Exists(pathOrDirectory))
            throw new FileNotFoundException($"tokenizer file or directory not found: {pathOrDirectory}", pathOrDirectory);
        return Path.GetExtension(pathOrDirectory).ToLowerInvariant() switch
        {
            ".model" => SentencePieceTokenizer.Load(pathOrDirectory),
            ".bin" => Llama2cTokenizer.Load(pathOrDirectory),
            ".json" => LoadTokenizerJson(pathOrDirectory),
            _ => throw new ArgumentException(
                $"{pathOrDirectory}: unknown tokenizer format; expected a .model (SentencePiece), .bin (llama2.c) or tokenizer.json file"),
        };
    }

    /// <summary>
    /// A Hugging Face tokenizer.json: the byte-level BPE kind (Llama-3, Qwen) through ML.Tokenizers, the
    /// SentencePiece-style kind (LLaMA-2, the files we write for llama2.c models) through <see cref="HfBpeTokenizer"/>.
    /// </summary>
    public static ITokenizer LoadTokenizerJson(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"tokenizer.json not found: {path}", path);
        try
        {
            using var doc = JsonDocument.Parse(StrictUtf8.ReadAllText(path));
            return HfByteLevelBpeTokenizer.IsByteLevel(doc.RootElement)
                ? HfByteLevelBpeTokenizer.Load(path, doc.RootElement)
                : HfBpeTokenizer.Load(path, doc.RootElement);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new InvalidDataException($"{path}: unexpected tokenizer.json layout: {e.Message}", e);
        }
    }

    /// <summary>
    /// Writes the tokenizer files of a model converted from llama2.c into <paramref name="outDir"/>: tokenizer.json,
    /// tokenizer_config.json, special_tokens_map.json, and a byte copy of the original as tokenizer.bin.
    /// </summary>
    public static void WriteToDirectory(string llama2cTokenizerBin, string outDir)
    {
        var tok = Llama2cTokenizer.Load(llama2cTokenizerBin);
        Directory.CreateDirectory(outDir);
        var pieces = HfTokenizerJsonWriter.HfPieces(tok, llama2cTokenizerBin);
        var merges = HfTokenizerJsonWriter.Merges(pieces, tok.Scores);
        HfTokenizerJsonWriter.WriteTokenizerJson(Path.Combine(outDir, "tokenizer.json"), pieces, merges);
        HfTokenizerJsonWriter.WriteConfigs(outDir, 2048);
        var target = Path.Combine(outDir, "tokenizer.bin");
        if (string.Equals(Path.GetFullPath(llama2cTokenizerBin), Path.GetFullPath(target), StringComparison.Ordinal)) return;
        // Bytes, not File.Copy: the shipped originals are read-only and File.Copy would carry that mode over, so a
        // second conversion into the same directory could not overwrite its own output.
        File.Delete(target);
        File.WriteAllBytes(target, File.ReadAllBytes(llama2cTokenizerBin));
    }
}
