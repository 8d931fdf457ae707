using Microsoft.Extensions.Hosting;
using PrunePipeline.Finetuner;
using PrunePipeline.ServiceDefaults;

// The finetuner service: masked refinement of pruned layers (RefineLayerConsumer) and global masked finetuning of the
// assembled model (FinetuneModelConsumer: the one stage that needs a whole model, and a GPU).
// Settings: section "Pipeline" of appsettings.json / environment variables (docs/configuration.md), over the
// distributed defaults of ServiceDefaults (RabbitMQ, S3, PostgreSQL on localhost).
var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults("finetuner", bus => bus.AddFinetuner());
await builder.Build().RunAsync();
