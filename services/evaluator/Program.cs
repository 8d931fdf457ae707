using Microsoft.Extensions.Hosting;
using PrunePipeline.Evaluator;
using PrunePipeline.ServiceDefaults;

// The evaluator service: assembles the pruned HF directory and measures its perplexities.
// Settings: section "Pipeline" of appsettings.json / environment variables (docs/configuration.md), over the
// distributed defaults of ServiceDefaults (RabbitMQ, S3, PostgreSQL on localhost).
var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults("evaluator", bus => bus.AddEvaluator());
await builder.Build().RunAsync();
