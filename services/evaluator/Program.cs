using Microsoft.Extensions.Hosting;
using PrunePipeline.Pipeline.Hosting;

// The evaluator service: assembles the pruned HF directory and measures its perplexities.
// Its consumers live in shared/PrunePipeline.Pipeline (the embedded host runs all of them in one process); this file
// only says which ones this process hosts. Transport and stores come from appsettings.json + environment variables
// (Pipeline__Bus__RabbitMqUri, Pipeline__Artifacts__S3__ServiceUrl, Pipeline__EventStore__PostgresConnectionString, …).
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddPrunePipeline(builder.Configuration, PipelineRoles.Evaluator);
await builder.Build().RunAsync();
