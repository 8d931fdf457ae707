#!/usr/bin/env bash
# Starts / stops the servers the integration tests talk to, all bound to 127.0.0.1 on private ports:
#   RabbitMQ 3.10 (Debian package), PostgreSQL 15 (installed), moto's S3 server (python3 -m moto.server).
# Usage: scripts/servers.sh start | stop | env
#   start  starts all three (stopping a previous set first), writes $STATE/env, prints its path
#   stop   stops each server by its PID (safe to call twice, safe when nothing runs)
#   env    prints the exports (use: eval "$(scripts/servers.sh env)", or source $STATE/env)
#   pause-rabbitmq SECONDS   stops the broker application (every client connection drops), starts it again after
#                            SECONDS; same port, queues kept (the fault tests' "broker stop")
#   restart-postgres         a fast restart of PostgreSQL on the same port (the fault tests' "PostgreSQL restart")
# State (PIDs, data, logs, env file) lives in ${PRUNE_SERVERS_DIR:-/tmp/prunepipeline-servers}.
# Everything here follows ../shared/design/world.md: the broker is started directly (not via the /usr/sbin
# wrapper that switches user), with its own epmd, so a stop leaves no Erlang process behind.
set -euo pipefail

STATE=${PRUNE_SERVERS_DIR:-/tmp/prunepipeline-servers}
ENV_FILE="$STATE/env"
# The /usr/sbin wrappers switch to the rabbitmq user (and lose our HOME, hence the Erlang cookie): call the real ones.
RABBIT_BIN=/usr/lib/rabbitmq/bin
PG_BIN=${PRUNE_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

log() { echo "servers: $*" >&2; }

# A free TCP port on 127.0.0.1 (the kernel picks it; the tiny race until the server binds is acceptable in CI).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

wait_gone() { # pid, seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do alive "$1" || return 0; sleep 0.1; done
  return 1
}

rabbit_env() {
  # Everything rabbitmq-server and rabbitmqctl need to find (only) our node.
  export HOME="$STATE/rabbitmq"
  export RABBITMQ_NODENAME="prune@localhost"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$RABBIT_PORT"
  export RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT"
  export RABBITMQ_MNESIA_BASE="$STATE/rabbitmq/mnesia"
  export RABBITMQ_LOG_BASE="$STATE/rabbitmq/log"
  export RABBITMQ_PID_FILE="$STATE/rabbitmq/rabbitmq.pid"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$STATE/rabbitmq/enabled_plugins"
  export RABBITMQ_CONFIG_FILE="$STATE/rabbitmq/rabbitmq"
  export ERL_EPMD_ADDRESS=127.0.0.1
  export ERL_EPMD_PORT="$EPMD_PORT"
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

start_rabbitmq() {
  RABBIT_PORT=$(free_port); RABBIT_DIST_PORT=$(free_port); EPMD_PORT=$(free_port)
  mkdir -p "$STATE/rabbitmq/mnesia" "$STATE/rabbitmq/log"
  echo "[]." > "$STATE/rabbitmq/enabled_plugins"
  # guest may only log in over loopback, which is all we listen on.
  echo "loopback_users.guest = true" > "$STATE/rabbitmq/rabbitmq.conf"
  (
    rabbit_env
    epmd -address 127.0.0.1 -port "$EPMD_PORT" >"$STATE/rabbitmq/epmd.log" 2>&1 &
    echo $! > "$STATE/epmd.pid"
    sleep 0.3
    setsid "$RABBIT_BIN/rabbitmq-server" >"$STATE/rabbitmq/server.out" 2>&1 < /dev/null &
    echo $! > "$STATE/rabbitmq-launcher.pid"
    # rabbitmqctl wait: waits for the PID file, then for the app to boot (await_startup fails while unregistered).
    timeout 90 "$RABBIT_BIN/rabbitmqctl" wait --timeout 60 "$RABBITMQ_PID_FILE" >"$STATE/rabbitmq/wait.out" 2>&1
  ) || { log "RabbitMQ did not start; see $STATE/rabbitmq"; tail -20 "$STATE/rabbitmq/server.out" >&2 || true; return 1; }
  printf 'RABBIT_PORT=%s\nRABBIT_DIST_PORT=%s\nEPMD_PORT=%s\n' "$RABBIT_PORT" "$RABBIT_DIST_PORT" "$EPMD_PORT" > "$STATE/rabbitmq.ports"
  echo "export PRUNE_TEST_RABBITMQ='amqp://guest:guest@127.0.0.1:$RABBIT_PORT/'" >> "$ENV_FILE.tmp"
  log "RabbitMQ on 127.0.0.1:$RABBIT_PORT"
}

stop_rabbitmq() {
  if [ -f "$STATE/rabbitmq.ports" ]; then
    # shellcheck disable=SC1091
    . "$STATE/rabbitmq.ports"
    local pid; pid=$(cat "$STATE/rabbitmq/rabbitmq.pid" 2>/dev/null || true)
    if alive "$pid"; then
      ( rabbit_env; timeout 60 "$RABBIT_BIN/rabbitmqctl" shutdown >/dev/null 2>&1 ) || true
      wait_gone "$pid" 20 || { log "RabbitMQ $pid did not stop; killing it"; kill -9 "$pid" 2>/dev/null || true; }
    fi
    rm -f "$STATE/rabbitmq.ports"
  fi
  local lpid; lpid=$(cat "$STATE/rabbitmq-launcher.pid" 2>/dev/null || true)
  if alive "$lpid"; then kill "$lpid" 2>/dev/null || true; fi
  rm -f "$STATE/rabbitmq-launcher.pid"
  local epid; epid=$(cat "$STATE/epmd.pid" 2>/dev/null || true)
  if alive "$epid"; then kill "$epid" 2>/dev/null || true; wait_gone "$epid" 5 || kill -9 "$epid" 2>/dev/null || true; fi
  rm -f "$STATE/epmd.pid"
}

start_postgres() {
  local port; port=$(free_port)
  local dir="$STATE/postgres"
  mkdir -p "$dir/sock"
  echo "prune-test" > "$dir/pwfile"
  chown -R postgres:postgres "$dir"
  chmod 700 "$dir"
  # Root may not run PostgreSQL: everything as the postgres user, into a directory it owns.
  runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-instructions >"$dir/initdb.log" 2>&1 \
    || { log "initdb failed; see $dir/initdb.log"; return 1; }
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c fsync=off -c max_connections=200" start >/dev/null \
    || { log "PostgreSQL did not start; see $dir/server.log"; tail -20 "$dir/server.log" >&2 || true; return 1; }
  echo "export PRUNE_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=postgres;Password=prune-test;Database=postgres'" >> "$ENV_FILE.tmp"
  log "PostgreSQL on 127.0.0.1:$port"
}

stop_postgres() {
  local dir="$STATE/postgres"
  if [ -f "$dir/data/postmaster.pid" ]; then
    local pid; pid=$(head -1 "$dir/data/postmaster.pid")
    if alive "$pid"; then
      runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
        || { kill -9 "$pid" 2>/dev/null || true; }
    fi
  fi
}

start_moto() {
  local port; port=$(free_port)
  mkdir -p "$STATE/moto"
  setsid python3 -m moto.server -H 127.0.0.1 -p "$port" >"$STATE/moto/server.log" 2>&1 < /dev/null &
  echo $! > "$STATE/moto.pid"
  local i
  for ((i = 0; i < 300; i++)); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
      echo "export PRUNE_TEST_S3_URL='http://127.0.0.1:$port'" >> "$ENV_FILE.tmp"
      log "moto S3 on 127.0.0.1:$port"
      return 0
    fi
    alive "$(cat "$STATE/moto.pid")" || break
    sleep 0.1
  done
  log "moto did not start; see $STATE/moto/server.log"; tail -20 "$STATE/moto/server.log" >&2 || true
  return 1
}

stop_moto() {
  local pid; pid=$(cat "$STATE/moto.pid" 2>/dev/null || true)
  if alive "$pid"; then kill "$pid" 2>/dev/null || true; wait_gone "$pid" 10 || kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$STATE/moto.pid"
}

stop_all() {
  [ -d "$STATE" ] || return 0
  stop_moto
  stop_postgres
  stop_rabbitmq
  rm -f "$ENV_FILE" "$ENV_FILE.tmp"
}

cmd_stop() {
  stop_all
  rm -rf "$STATE"
  log "stopped"
}

cmd_start() {
  cmd_stop
  mkdir -p "$STATE"; chmod 755 "$STATE"
  # The env file holds passwords: readable by its owner only (created so, never widened; mv keeps the mode).
  ( umask 077; : > "$ENV_FILE.tmp" )
  chmod 600 "$ENV_FILE.tmp"
  echo "# written by scripts/servers.sh start; source it to reach the test servers" >> "$ENV_FILE.tmp"
  echo "export PRUNE_TEST_ENV_FILE='$ENV_FILE'" >> "$ENV_FILE.tmp"
  if start_postgres && start_moto && start_rabbitmq; then
    mv "$ENV_FILE.tmp" "$ENV_FILE"
    echo "$ENV_FILE"
  else
    stop_all # keeps the logs under $STATE for a look
    return 1
  fi
}

cmd_pause_rabbitmq() {
  [ -f "$STATE/rabbitmq.ports" ] || { log "RabbitMQ is not running"; exit 1; }
  # shellcheck disable=SC1091
  . "$STATE/rabbitmq.ports"
  (
    rabbit_env
    # rabbitmqctl boots an Erlang VM: on a busy 2-core machine that alone can take 30 s.
    timeout 300 "$RABBIT_BIN/rabbitmqctl" stop_app >/dev/null
    sleep "${1:-10}"
    timeout 300 "$RABBIT_BIN/rabbitmqctl" start_app >/dev/null
  )
  log "RabbitMQ paused ${1:-10} s and started again"
}

cmd_restart_postgres() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$STATE/postgres/data" -l "$STATE/postgres/server.log" -m fast -w -t 60 restart >/dev/null
  log "PostgreSQL restarted"
}

case "${1:-}" in
  start) cmd_start ;;
  pause-rabbitmq) cmd_pause_rabbitmq "${2:-10}" ;;
  restart-postgres) cmd_restart_postgres ;;
  stop) cmd_stop ;;
  env) [ -f "$ENV_FILE" ] || { log "no env file: run scripts/servers.sh start first"; exit 1; }; cat "$ENV_FILE" ;;
  *) echo "usage: $0 start|stop|env|pause-rabbitmq SECONDS|restart-postgres" >&2; exit 2 ;;
esac
