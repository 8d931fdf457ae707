# One multi-target Dockerfile for the five services (docker-compose.yml builds each target).
#   docker build --target pruner -t prunepipeline/pruner .
# The build stage publishes all five at once (they share every library), each runtime target copies its own.
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
# Directory.Build.targets copies the libtorch natives into each published app (build output carries none).
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props PrunePipeline.sln ./
COPY shared/ shared/
COPY services/ services/
RUN for s in coordinator calibrator pruner finetuner evaluator; do \
      dotnet publish "services/$s" -c Release -o "/app/$s" --nologo || exit 1; \
    done

# All tensor math runs on TorchSharp/libtorch, published with each app (the .NET 10 images' libstdc++ is new enough
# for TorchSharp's wrapper, so no patching happens there).
FROM mcr.microsoft.com/dotnet/runtime:${DOTNET_VERSION} AS runtime
ENV DOTNET_gcServer=0
WORKDIR /app
USER $APP_UID

FROM runtime AS coordinator
COPY --from=build /app/coordinator /app
ENTRYPOINT ["dotnet", "/app/PrunePipeline.Coordinator.dll"]

FROM runtime AS calibrator
COPY --from=build /app/calibrator /app
ENTRYPOINT ["dotnet", "/app/PrunePipeline.Calibrator.dll"]

FROM runtime AS pruner
COPY --from=build /app/pruner /app
ENTRYPOINT ["dotnet", "/app/PrunePipeline.Pruner.dll"]

FROM runtime AS finetuner
COPY --from=build /app/finetuner /app
ENTRYPOINT ["dotnet", "/app/PrunePipeline.Finetuner.dll"]

FROM runtime AS evaluator
COPY --from=build /app/evaluator /app
ENTRYPOINT ["dotnet", "/app/PrunePipeline.Evaluator.dll"]
