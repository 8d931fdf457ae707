namespace PrunePipeline.Contracts;

/// <summary>Which perplexities to measure once the model is assembled.</summary>
/// <param name="Datasets">Dataset name (wikitext2, c4, tinystories) → path as the evaluator sees it.</param>
/// <param name="SeqLen">Window length; null = the evaluator's default for the model.</param>
/// <param name="EvaluateDense">Also measure the dense model (report.json's "before"); <c>--no-dense-eval</c> turns it off.</param>
/// <param name="TextColumn">The Parquet column / JSON-lines field holding the text of every data set.</param>
public sealed record EvaluationSettings(IReadOnlyDictionary<string, string> Datasets, int? SeqLen = null, bool EvaluateDense = true, string TextColumn = "text");
