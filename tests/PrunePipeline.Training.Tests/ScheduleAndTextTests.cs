using Xunit;

namespace PrunePipeline.Training.Tests;

public class ScheduleAndTextTests
{
    [Theory]
    [InlineData(0, 100, 0.1)]   // first warm-up step: 1/10
    [InlineData(4, 100, 0.5)]
    [InlineData(9, 100, 1.0)]   // end of warm-up: the peak
    [InlineData(10, 100, 1.0)]  // decay starts at the peak: (100 − 10) / 90
    [InlineData(55, 100, 0.5)]
    [InlineData(99, 100, 1.0 / 90)]
    [InlineData(0, 1, 1.0)]
    public void WarmupThenLinearDecay(int step, int steps, double expected) =>
        Assert.Equal(expected, LearningRateSchedule.Factor(step, steps), 12);

    [Theory]
    [InlineData("0-499", 0, 499)]
    [InlineData("500-999", 500, 999)]
    public void StoryRangeParses(string text, int first, int last) => Assert.Equal(new StoryRange(first, last), StoryRange.Parse(text));

    [Theory]
    [InlineData("5")]
    [InlineData("9-3")]
    [InlineData("-1-4")]
    [InlineData("a-b")]
    public void StoryRangeRejectsNonsense(string text) => Assert.Throws<ArgumentException>(() => StoryRange.Parse(text));

    [Fact]
    public void C4TrainingTextExcludesTheDocumentsSharedWithTheEvaluationFile()
    {
        // DATA.md: 57 of c4_validation_2k's 2000 documents are among the first 1025 of the shard (the eval file).
        var (docs, excluded) = TrainingText.Read(TestData.SharedPath("data", "c4", "c4_validation_2k.jsonl"), null,
            TestData.SharedPath("data", "c4", "c4-validation.00000-of-00008.first1025.text-only.jsonl"));
        Assert.Equal(57, excluded);
        Assert.Equal(2000 - 57, docs.Count);
    }

    [Fact]
    public void StorySelectionTakesExactlyTheRangeAndRefusesOneBeyondTheFile()
    {
        var all = PrunePipeline.Workflow.Calibration.CalibrationText.ReadDocuments(TestData.TinyStories);
        var (docs, excluded) = TrainingText.Read(TestData.TinyStories, new StoryRange(500, 999), null);
        Assert.Equal(0, excluded);
        Assert.Equal(all.Skip(500).ToList(), docs);
        Assert.Throws<ArgumentException>(() => TrainingText.Read(TestData.TinyStories, new StoryRange(900, 1000), null));
    }
}
