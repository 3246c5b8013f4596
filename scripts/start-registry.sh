#!/usr/bin/env bash
# Starts a local distribution registry on 127.0.0.1:5000 (storage /var/lib/stevedore/registry)
# unless one already answers. PID in /var/run/stevedore-registry.pid; stop with stop-registry.sh.
set -euo pipefail

log() { printf '[start-registry] %s\n' "$*"; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CONFIG=${STEVEDORE_REGISTRY_CONFIG:-$HERE/registry-config.yml}
ADDR=127.0.0.1:5000
PIDFILE=/var/run/stevedore-registry.pid
LOG=/var/log/stevedore-registry.log
STORAGE=/var/lib/stevedore/registry
TIMEOUT=${STEVEDORE_REGISTRY_TIMEOUT:-30}

answers() { curl -fsS -m 2 "http://$ADDR/v2/" >/dev/null 2>&1; }

if answers; then
  log "registry already answering on $ADDR"
  exit 0
fi

[[ -x /usr/bin/docker-registry ]] || { echo "[start-registry] /usr/bin/docker-registry missing: run scripts/install-deps.sh" >&2; exit 1; }

# A stale PID file from a registry that died (or a process that holds the port without answering).
if [[ -s $PIDFILE ]]; then
  old=$(cat "$PIDFILE")
  if kill -0 "$old" 2>/dev/null && grep -q docker-registry "/proc/$old/cmdline" 2>/dev/null; then
    log "registry pid $old is running but not answering; stopping it"
    kill "$old" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$PIDFILE"
fi

mkdir -p "$STORAGE"
log "starting docker-registry on $ADDR (config $CONFIG, log $LOG)"
setsid nohup /usr/bin/docker-registry serve "$CONFIG" >>"$LOG" 2>&1 < /dev/null &
pid=$!
echo "$pid" > "$PIDFILE"

deadline=$(( SECONDS + TIMEOUT ))
until answers; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "[start-registry] registry exited; last lines of $LOG:" >&2
    tail -n 20 "$LOG" >&2
    rm -f "$PIDFILE"
    exit 1
  fi
  if (( SECONDS >= deadline )); then
    echo "[start-registry] registry not answering after ${TIMEOUT}s" >&2
    tail -n 20 "$LOG" >&2
    exit 1
  fi
  sleep 0.2
done
log "registry answering on $ADDR (pid $pid)"
