using PrunePipeline.Cli;

return await VerbRunner.RunAsync(args);
