using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PrunePipeline.Tokenizers;

namespace PrunePipeline.Cli.Verbs;

/// <summary>
/// prunectl tokenize: shows how a text is split, through the same <see cref="TokenizerFiles.Load"/> and
/// <see cref="ITokenizer.Encode"/> (BOS included) that calibration and evaluation use.
/// </summary>
public sealed class TokenizeVerb : IVerb
{
    // Pieces as the user would type them (Ġ, é, <|im_end|>), not \u-escaped.
    static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string Name => "tokenize";

    public string Summary => "print the token ids and pieces of a text";

    public string Usage => """
        usage: prunectl tokenize (--model DIR | --tokenizer FILE_OR_DIR) (--text "TEXT" | --file F) [--json] [--no-special]
          Tokenizes exactly as calibration and evaluation do: the model's tokenizer (tokenizer.model, tokenizer.bin or
          tokenizer.json; a byte-level tokenizer.json takes BOS/EOS from the tokenizer_config.json beside it), BOS first
          when the model uses one. Special tokens written in the text (e.g. <|begin_of_text|>) are matched as tokens.
          --file F      read the text from a UTF-8 file (as a whole, newlines included)
          --json        print {"tokenizer", "count", "ids", "pieces"} instead of one "index id piece" line per token
          --no-special  do not add BOS
        """;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken) => Task.FromResult(Run(args, Console.Out));

    static int Run(CliArgs args, TextWriter stdout)
    {
        var model = args.Optional("model");
        var tokenizerPath = args.Optional("tokenizer");
        var text = args.Optional("text");
        var file = args.Optional("file");
        var json = args.Flag("json");
        var noSpecial = args.Flag("no-special");
        args.ThrowOnUnused();
        if ((model is null) == (tokenizerPath is null)) throw new UsageException("give exactly one of --model DIR and --tokenizer FILE_OR_DIR.");
        if ((text is null) == (file is null)) throw new UsageException("give exactly one of --text and --file.");
        if (model is not null && !Directory.Exists(model)) throw new DirectoryNotFoundException($"model directory not found: {model}");

        var source = model ?? tokenizerPath!;
        var tokenizer = TokenizerFiles.Load(source);
        text ??= ReadUtf8(file!);
        var ids = tokenizer.Encode(text, addBos: !noSpecial);
        var pieces = ids.Select(tokenizer.Piece).ToArray();
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new { tokenizer = source, count = ids.Length, ids, pieces }, Readable));
            return 0;
        }
        stdout.WriteLine($"{ids.Length} tokens ({source})");
        for (var i = 0; i < ids.Length; i++)
            stdout.WriteLine($"{i,6} {ids[i],8} {JsonSerializer.Serialize(pieces[i], Readable)}"); // quoted: spaces and newlines stay visible
        return 0;
    }

    static string ReadUtf8(string path)
    {
        try
        {
            return File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{path}: not valid UTF-8 ({e.Message})", e);
        }
    }
}
