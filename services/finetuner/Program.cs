using Microsoft.Extensions.Hosting;
using PrunePipeline.Pipeline.Hosting;

// The finetuner service: masked refinement of pruned layers.
// Its consumers live in shared/PrunePipeline.Pipeline (the embedded host runs all of them in one process); this file
// only says which ones this process hosts. Transport and stores come from appsettings.json + environment variables
// (Pipeline__Bus__RabbitMqUri, Pipeline__Artifacts__S3__ServiceUrl, Pipeline__EventStore__PostgresConnectionString, …).
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddPrunePipeline(builder.Configuration, PipelineRoles.Finetuner);
await builder.Build().RunAsync();
