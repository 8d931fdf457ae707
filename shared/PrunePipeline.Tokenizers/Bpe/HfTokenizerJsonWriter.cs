using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PrunePipeline.Tokenizers.Bpe;

/// <summary>
/// Writes the Hugging Face files for a llama2.c vocabulary: tokenizer.json (BPE, byte fallback), tokenizer_config.json,
/// special_tokens_map.json. Merges follow transformers' SentencePieceExtractor (LLaMA converter): for every non-special
/// piece, each split into two vocabulary pieces (ordered by (left id, right id)), all sorted stably by the piece's score,
/// highest first.
/// </summary>
internal static class HfTokenizerJsonWriter
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>HF piece strings: &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt; for ids 0..2, spaces as "▁" elsewhere.</summary>
    public static string[] HfPieces(Llama2cTokenizer tok, string where)
    {
        var strict = new UTF8Encoding(false, true);
        var pieces = new string[tok.VocabSize];
        for (var id = 0; id < pieces.Length; id++)
        {
            if (id == 0) { pieces[id] = "<unk>"; continue; }
            if (id == tok.BosId) { pieces[id] = "<s>"; continue; }
            if (id == tok.EosId) { pieces[id] = "</s>"; continue; }
            try
            {
                pieces[id] = strict.GetString(PieceStrings.ToBytes(tok.Pieces[id])).Replace(' ', '\u2581');
            }
            catch (DecoderFallbackException)
            {
                throw new InvalidDataException($"{where}: piece {id} is not valid UTF-8, so it cannot be written to tokenizer.json");
            }
        }

        return pieces;
    }

    public static IReadOnlyList<(string Left, string Right)> Merges(string[] pieces, IReadOnlyList<float> scores)
    {
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var id = 0; id < pieces.Length; id++) vocab.TryAdd(pieces[id], id);
        var merges = new List<(string L, string R, float Score, int Order)>();
        for (var id = 0; id < pieces.Length; id++)
        {
            if (IsSpecial(id, pieces[id])) continue;
            var s = pieces[id];
            var local = new List<(int L, int R)>();
            for (var k = 1; k < s.Length; k++)
            {
                if (char.IsLowSurrogate(s[k])) continue;
                if (vocab.TryGetValue(s[..k], out var l) && vocab.TryGetValue(s[k..], out var r)) local.Add((l, r));
            }

            foreach (var (l, r) in local.OrderBy(x => x.L).ThenBy(x => x.R)) merges.Add((pieces[l], pieces[r], scores[id], merges.Count));
        }

        return merges.OrderByDescending(m => m.Score).ThenBy(m => m.Order).Select(m => (m.L, m.R)).ToList();
    }

    public static void WriteTokenizerJson(string path, string[] pieces, IReadOnlyList<(string Left, string Right)> merges)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, Options);
        w.WriteStartObject();
        w.WriteString("version", "1.0");
        w.WriteNull("truncation");
        w.WriteNull("padding");
        w.WriteStartArray("added_tokens");
        for (var id = 0; id < 3; id++)
        {
            w.WriteStartObject();
            w.WriteNumber("id", id);
            w.WriteString("content", pieces[id]);
            w.WriteBoolean("single_word", false);
            w.WriteBoolean("lstrip", false);
            w.WriteBoolean("rstrip", false);
            w.WriteBoolean("normalized", false);
            w.WriteBoolean("special", true);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("normalizer");
        w.WriteString("type", "Sequence");
        w.WriteStartArray("normalizers");
        w.WriteStartObject();
        w.WriteString("type", "Prepend");
        w.WriteString("prepend", "\u2581");
        w.WriteEndObject();
        WriteReplace(w, " ", "\u2581");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteNull("pre_tokenizer");
        WritePostProcessor(w);
        w.WriteStartObject("decoder");
        w.WriteString("type", "Sequence");
        w.WriteStartArray("decoders");
        WriteReplace(w, "\u2581", " ");
        w.WriteStartObject();
        w.WriteString("type", "ByteFallback");
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("type", "Fuse");
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("type", "Strip");
        w.WriteString("content", " ");
        w.WriteNumber("start", 1);
        w.WriteNumber("stop", 0);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("model");
        w.WriteString("type", "BPE");
        w.WriteNull("dropout");
        w.WriteString("unk_token", "<unk>");
        w.WriteNull("continuing_subword_prefix");
        w.WriteNull("end_of_word_suffix");
        w.WriteBoolean("fuse_unk", true);
        w.WriteBoolean("byte_fallback", true);
        w.WriteBoolean("ignore_merges", false);
        w.WriteStartObject("vocab");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var id = 0; id < pieces.Length; id++)
            if (seen.Add(pieces[id])) w.WriteNumber(pieces[id], id);
        w.WriteEndObject();
        w.WriteStartArray("merges");
        foreach (var (l, r) in merges)
        {
            w.WriteStartArray();
            w.WriteStringValue(l);
            w.WriteStringValue(r);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void WriteConfigs(string dir, int maxLength)
    {
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), $$"""
            {
              "add_bos_token": true,
              "add_eos_token": false,
              "bos_token": "<s>",
              "eos_token": "</s>",
              "unk_token": "<unk>",
              "pad_token": null,
              "clean_up_tokenization_spaces": false,
              "legacy": true,
              "model_max_length": {{maxLength}},
              "padding_side": "right",
              "sp_model_kwargs": {},
              "tokenizer_class": "LlamaTokenizer"
            }

            """);
        File.WriteAllText(Path.Combine(dir, "special_tokens_map.json"), """
            {
              "bos_token": "<s>",
              "eos_token": "</s>",
              "unk_token": "<unk>"
            }

            """);
    }

    private static bool IsSpecial(int id, string piece) => id <= 2 || PieceStrings.ByteFallbackValue(piece) >= 0;

    private static void WriteReplace(Utf8JsonWriter w, string from, string to)
    {
        w.WriteStartObject();
        w.WriteString("type", "Replace");
        w.WriteStartObject("pattern");
        w.WriteString("String", from);
        w.WriteEndObject();
        w.WriteString("content", to);
        w.WriteEndObject();
    }

    private static void WritePostProcessor(Utf8JsonWriter w)
    {
        w.WriteStartObject("post_processor");
        w.WriteString("type", "TemplateProcessing");
        w.WriteStartArray("single");
        WriteSpecial(w);
        WriteSequence(w, "A", 0);
        w.WriteEndArray();
        w.WriteStartArray("pair");
        WriteSpecial(w);
        WriteSequence(w, "A", 0);
        WriteSpecial(w, 1);
        WriteSequence(w, "B", 1);
        w.WriteEndArray();
        w.WriteStartObject("special_tokens");
        w.WriteStartObject("<s>");
        w.WriteString("id", "<s>");
        w.WriteStartArray("ids");
        w.WriteNumberValue(1);
        w.WriteEndArray();
        w.WriteStartArray("tokens");
        w.WriteStringValue("<s>");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteSpecial(Utf8JsonWriter w, int typeId = 0)
    {
        w.WriteStartObject();
        w.WriteStartObject("SpecialToken");
        w.WriteString("id", "<s>");
        w.WriteNumber("type_id", typeId);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteSequence(Utf8JsonWriter w, string id, int typeId)
    {
        w.WriteStartObject();
        w.WriteStartObject("Sequence");
        w.WriteString("id", id);
        w.WriteNumber("type_id", typeId);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
