using Microsoft.Extensions.Hosting;

// The evaluator service. Its consumers live in shared/PrunePipeline.Pipeline so the embedded host can run all four
// services in one process; this Program only chooses which of them this process hosts.
var builder = Host.CreateApplicationBuilder(args);
await builder.Build().RunAsync();
