using Microsoft.Extensions.Hosting;
using PrunePipeline.Coordinator;
using PrunePipeline.ServiceDefaults;

// The coordinator service: folds each run's event stream and sends the next commands; resumes runs on start-up.
// Settings: section "Pipeline" of appsettings.json / environment variables (docs/configuration.md), over the
// distributed defaults of ServiceDefaults (RabbitMQ, S3, PostgreSQL on localhost).
var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults("coordinator", bus => bus.AddCoordinator());
await builder.Build().RunAsync();
