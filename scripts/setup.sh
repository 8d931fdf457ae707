#!/usr/bin/env bash
# Installs the native packages PrunePipeline needs on a Debian machine (idempotent, quick when already present):
# g++ and patchelf where libstdc++ is older than GCC 13's (for TorchSharp); RabbitMQ (the package starts no broker: scripts/servers.sh does) and docker-compose v1
# (to validate docker-compose.yml; no engine runs here) for the pipeline. PostgreSQL 15 and moto are preinstalled
# (../shared/design/world.md); we only check them, and try python3-moto from apt if moto is missing.
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
updated=0
apt_install() { # [apt-get install options...] packages...
  if [ "$updated" -eq 0 ]; then $SUDO apt-get update -qq; updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

need=()
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
# TorchSharp's native wrapper needs GLIBCXX_3.4.32 (GCC 13's libstdc++); where the system's is older (Debian 12),
# PrunePipeline.Tensors builds a patched copy of the wrapper on first use, with g++ and patchelf (README "Tensor engine").
libstdcxx=$(ls /usr/lib/*-linux-gnu/libstdc++.so.6 2>/dev/null | head -n 1 || true)
if [ -n "$libstdcxx" ] && ! grep -aq 'GLIBCXX_3\.4\.32' "$libstdcxx"; then
  command -v g++ >/dev/null || need+=(g++)
  command -v patchelf >/dev/null || need+=(patchelf)
fi
if [ ${#need[@]} -gt 0 ]; then apt_install "${need[@]}"; fi

command -v docker-compose >/dev/null || apt_install --no-install-recommends docker-compose

if ! python3 -c 'import moto.server' 2>/dev/null; then
  apt_install python3-moto || echo "setup: moto is missing and python3-moto did not install: S3 tests will fail" >&2
fi
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || echo "setup: PostgreSQL is not installed: Postgres tests will fail" >&2
