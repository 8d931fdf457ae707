using Microsoft.Extensions.Hosting;
using PrunePipeline.Pipeline.Hosting;

// The pruner service: solves one layer's 2:4 mask per message; start several, they compete for PruneLayer.
// Its consumers live in shared/PrunePipeline.Pipeline (the embedded host runs all of them in one process); this file
// only says which ones this process hosts. Transport and stores come from appsettings.json + environment variables
// (Pipeline__Bus__RabbitMqUri, Pipeline__Artifacts__S3__ServiceUrl, Pipeline__EventStore__PostgresConnectionString, …).
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddPrunePipeline(builder.Configuration, PipelineRoles.Pruner);
await builder.Build().RunAsync();
