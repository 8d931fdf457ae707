using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Tokenizers;
using PrunePipeline.Workflow;

namespace PrunePipeline.Training;

/// <summary>
/// Evaluation sets of a training run: the §9 conventions, with TinyStories optionally restricted to a range of stories
/// (<c>--eval-stories 0-499</c>, so that stories 500–999 can be training text); the range is written into the convention.
/// </summary>
public static class TrainingEvaluation
{
    public static List<EvalSequences> Load(IReadOnlyList<EvalDatasetSpec> specs, ITokenizer tok, int seqLen, StoryRange? stories)
    {
        var sets = new List<EvalSequences>();
        foreach (var spec in specs)
        {
            var set = EvalDatasets.Load(spec.Name, spec.Path, tok, seqLen);
            if (set.Dataset == "tinystories" && stories is not null)
            {
                // One sequence per story in file order, so a story range is a range of sequences.
                var selected = stories.Select(set.Sequences, spec.Path);
                set = set with
                {
                    Sequences = selected,
                    TotalTokens = selected.Sum(s => (long)s.Length),
                    Convention = $"stories {stories} only; " + set.Convention.Replace($"{set.PredictedTokens} predicted tokens",
                        $"{selected.Sum(s => (long)s.Length - 1)} predicted tokens", StringComparison.Ordinal),
                };
            }
            sets.Add(set);
        }
        return sets;
    }
}
