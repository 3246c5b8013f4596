#!/usr/bin/env bash
# Stops the registry started by start-registry.sh (by the PID it recorded). Idempotent.
set -euo pipefail

log() { printf '[stop-registry] %s\n' "$*"; }

PIDFILE=/var/run/stevedore-registry.pid
TIMEOUT=${STEVEDORE_REGISTRY_TIMEOUT:-10}

if [[ ! -s $PIDFILE ]]; then
  log "no PID file ($PIDFILE): nothing to stop"
  exit 0
fi
pid=$(cat "$PIDFILE")
if ! kill -0 "$pid" 2>/dev/null || ! grep -q docker-registry "/proc/$pid/cmdline" 2>/dev/null; then
  log "registry pid $pid not running"
  rm -f "$PIDFILE"
  exit 0
fi

kill "$pid"
deadline=$(( SECONDS + TIMEOUT ))
while kill -0 "$pid" 2>/dev/null; do
  if (( SECONDS >= deadline )); then
    log "pid $pid still running after ${TIMEOUT}s; sending SIGKILL"
    kill -9 "$pid" 2>/dev/null || true
    break
  fi
  sleep 0.1
done
rm -f "$PIDFILE"
log "registry stopped (pid $pid)"
