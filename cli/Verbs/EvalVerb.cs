using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using PrunePipeline.Evaluation;
using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Model;
using PrunePipeline.Tokenizers;
using PrunePipeline.Workflow;
using PrunePipeline.Workflow.Output;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl eval: perplexity on WikiText-2 / C4 / TinyStories under the algorithm.md §9 conventions.</summary>
public sealed class EvalVerb : IVerb
{
    public string Name => "eval";

    public string Summary => "perplexity of a model directory on wikitext2 / c4 / tinystories (§9 conventions)";

    public string Usage => """
        usage: prunectl eval --model DIR --seqlen N --dataset NAME=PATH [--dataset NAME=PATH ...] [--json OUT.json [--force]] [--text-column NAME]
          NAME is wikitext2 (wiki.test.raw), c4 (validation JSON lines) or tinystories (<|endoftext|>-separated text);
          PATH may also be a Parquet file with one row per line (wikitext2) or document, text in --text-column (default text).
          The tokenizer is read from DIR. Prints a table; --json writes {"results":[{dataset,convention,seqlen,tokens,windows,ppl}]}.
          The model is evaluated block by block over all windows: one decoder block is resident at a time.
        """ + "\n" + ComputeOptions.Usage;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var dir = args.Required("model");
        var seqLen = args.OptionalInt("seqlen") ?? throw new UsageException("missing required option --seqlen.");
        var specs = args.All("dataset");
        var jsonPath = args.Optional("json");
        var textColumn = args.Optional("text-column") ?? "text";
        var force = args.Flag("force");
        var target = ComputeOptions.Apply(args);
        args.ThrowOnUnused();
        if (seqLen < 2) throw new UsageException($"--seqlen must be at least 2, got {seqLen}.");
        if (specs.Count == 0) throw new UsageException("give at least one --dataset NAME=PATH.");
        var datasets = specs.Select(ParseSpec).ToList();
        string[] inputs = [dir, .. datasets.Select(d => d.Path)];
        if (jsonPath is not null) OutputGuard.CheckFile(jsonPath, force, inputs, "--json");

        using var model = LlamaModel.Open(dir);
        if (seqLen > model.Config.MaxPositionEmbeddings)
            Console.Error.WriteLine($"warning: --seqlen {seqLen} exceeds the model's max_position_embeddings {model.Config.MaxPositionEmbeddings}");
        MemoryEstimate.Require(MemoryEstimate.ForwardBytes(model.Config, seqLen), $"--seqlen {seqLen}");
        var tokenizer = TokenizerFiles.Load(dir);
        if (tokenizer.VocabSize != model.Config.VocabSize)
            throw new InvalidDataException($"{dir}: tokenizer has {tokenizer.VocabSize} tokens but config.json says vocab_size {model.Config.VocabSize}");
        var total = Stopwatch.StartNew();
        var results = new List<(PerplexityResult Result, double Seconds)>();
        foreach (var (name, path) in datasets)
        {
            var sw = Stopwatch.StartNew();
            var data = EvalDatasets.Load(name, path, tokenizer, seqLen, textColumn);
            var progress = new StderrProgress(name);
            var result = PerplexityEvaluator.Evaluate(model, data, progress, cancellationToken, target);
            progress.Done();
            results.Add((result, sw.Elapsed.TotalSeconds));
        }

        Console.WriteLine($"{"dataset",-12} {"seqlen",6} {"tokens",10} {"windows",7} {"ppl",10} {"time",7}  convention");
        foreach (var (r, s) in results)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Dataset,-12} {r.SeqLen,6} {r.Tokens,10} {r.Windows,7} {r.Ppl,10:F4} {s,6:F1}s  {r.Convention}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total {total.Elapsed.TotalSeconds:F1}s"));
        if (jsonPath is not null)
        {
            var payload = new
            {
                results = results.Select(x => new
                {
                    dataset = x.Result.Dataset, convention = x.Result.Convention, seqlen = x.Result.SeqLen,
                    tokens = x.Result.Tokens, windows = x.Result.Windows, ppl = x.Result.Ppl,
                }),
            };
            OutputGuard.WriteText(jsonPath, JsonSerializer.Serialize(payload, new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n",
                force, inputs, "--json");
        }
        return Task.FromResult(0);
    }

    private static (string Name, string Path) ParseSpec(string spec)
    {
        var eq = spec.IndexOf('=');
        if (eq <= 0 || eq == spec.Length - 1) throw new UsageException($"--dataset expects NAME=PATH, got '{spec}'.");
        var name = spec[..eq].ToLowerInvariant();
        if (!EvalDatasets.Names.Contains(name))
            throw new UsageException($"unknown dataset '{name}'; expected one of {string.Join(", ", EvalDatasets.Names)}.");
        var path = spec[(eq + 1)..];
        if (!File.Exists(path)) throw new FileNotFoundException($"data file for {name} not found: {path}", path);
        return (name, path);
    }

    /// <summary>Synchronous progress on stderr: a rewritten line on a terminal, a line every 10 % otherwise.</summary>
    private sealed class StderrProgress(string name) : IProgress<(int done, int total)>
    {
        private readonly Stopwatch _sw = Stopwatch.StartNew();
        private readonly bool _interactive = !Console.IsErrorRedirected;
        private long _lastDraw = -1000;
        private int _lastDecile = -1;

        public void Report((int done, int total) value)
        {
            var (done, total) = value;
            var elapsed = _sw.Elapsed.TotalSeconds;
            var eta = done > 0 ? elapsed / done * (total - done) : 0;
            var text = string.Create(CultureInfo.InvariantCulture, $"[eval {name}] {done}/{total} block×batch steps, {elapsed:F0}s elapsed, ~{eta:F0}s left");
            if (_interactive)
            {
                if (_sw.ElapsedMilliseconds - _lastDraw < 200 && done < total) return;
                _lastDraw = _sw.ElapsedMilliseconds;
                Console.Error.Write("\r" + text + "   ");
            }
            else
            {
                var decile = done * 10 / Math.Max(1, total);
                if (decile == _lastDecile || elapsed < 5 && done < total) return;
                _lastDecile = decile;
                Console.Error.WriteLine(text);
            }
        }

        public void Done()
        {
            if (_interactive) Console.Error.WriteLine();
        }
    }
}
