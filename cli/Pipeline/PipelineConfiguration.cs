using Microsoft.Extensions.Configuration;

namespace PrunePipeline.Cli.Pipeline;

/// <summary>
/// The configuration the pipeline verbs use: embedded defaults under a work folder (<c>--work</c>, default
/// <c>.prunepipeline/</c>: artifacts/ and events.db), then an optional <c>--config FILE</c> (appsettings-style JSON with a
/// "Pipeline" section), then environment variables (<c>Pipeline__…</c>), then <c>--rabbitmq URI</c>.
/// </summary>
internal static class PipelineConfiguration
{
    public const string OptionsUsage = """
          --work DIR                embedded work folder (artifacts/ + events.db; default .prunepipeline)
          --config FILE             JSON with a "Pipeline" section (see docs/architecture.md); env Pipeline__… also applies
          --rabbitmq URI            shorthand for Pipeline__Bus__Transport=RabbitMq + Pipeline__Bus__RabbitMqUri
        """;

    public static IConfiguration Build(CliArgs args)
    {
        var work = Path.GetFullPath(args.Optional("work") ?? ".prunepipeline");
        var file = args.Optional("config");
        var rabbit = args.Optional("rabbitmq");
        var builder = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:Artifacts:FolderPath"] = Path.Combine(work, "artifacts"),
            ["Pipeline:EventStore:SqlitePath"] = Path.Combine(work, "events.db"),
        });
        if (file is not null)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"configuration file not found: {file}", file);
            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }
        builder.AddEnvironmentVariables();
        if (rabbit is not null)
            builder.AddInMemoryCollection(new Dictionary<string, string?> { ["Pipeline:Bus:Transport"] = "RabbitMq", ["Pipeline:Bus:RabbitMqUri"] = rabbit });
        return builder.Build();
    }
}
