using Microsoft.Extensions.Hosting;
using PrunePipeline.Calibrator;
using PrunePipeline.ServiceDefaults;

// The calibrator service: calibration text → block activations → per-layer Hessians (CalibrateBlockConsumer).
// Settings: section "Pipeline" of appsettings.json / environment variables (docs/configuration.md), over the
// distributed defaults of ServiceDefaults (RabbitMQ, S3, PostgreSQL on localhost).
var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults("calibrator", bus => bus.AddCalibrator());
await builder.Build().RunAsync();
