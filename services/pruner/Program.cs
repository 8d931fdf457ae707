using Microsoft.Extensions.Hosting;
using PrunePipeline.Pruner;
using PrunePipeline.ServiceDefaults;

// The pruner service: one layer's 2:4 mask per PruneLayer (PruneLayerConsumer); start several, they compete.
// Settings: section "Pipeline" of appsettings.json / environment variables (docs/configuration.md), over the
// distributed defaults of ServiceDefaults (RabbitMQ, S3, PostgreSQL on localhost).
var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults("pruner", bus => bus.AddPruner());
await builder.Build().RunAsync();
