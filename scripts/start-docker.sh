#!/usr/bin/env bash
# Starts the Docker engine (dockerd) in the background unless its API already answers.
# Containers get DNS 127.0.0.1 by default (daemon.json) so nothing inside them can look names
# up outside this machine.
set -euo pipefail

log() { printf '[start-docker] %s\n' "$*"; }

DOCKER=/usr/bin/docker
LOG=/var/log/stevedore-dockerd.log
CONF=/etc/docker/daemon.json
TIMEOUT=${STEVEDORE_DOCKER_TIMEOUT:-60}

[[ -x $DOCKER ]] || { echo "[start-docker] $DOCKER missing: run scripts/install-deps.sh" >&2; exit 1; }

api_up() { timeout 10 "$DOCKER" info >/dev/null 2>&1; }

ensure_dns_config() {
  mkdir -p /etc/docker
  if [[ ! -s $CONF ]]; then
    log "writing $CONF (dns 127.0.0.1)"
    printf '{\n  "dns": ["127.0.0.1"]\n}\n' > "$CONF"
    return 0
  fi
  if grep -q '"dns"' "$CONF"; then
    return 1  # the operator's own setting; leave it alone
  fi
  log "adding dns 127.0.0.1 to existing $CONF"
  python3 - "$CONF" <<'PY'
import json, sys
path = sys.argv[1]
with open(path) as f:
    conf = json.load(f)
conf["dns"] = ["127.0.0.1"]
with open(path, "w") as f:
    json.dump(conf, f, indent=2)
    f.write("\n")
PY
  return 0
}

changed=0
ensure_dns_config && changed=1

if api_up; then
  if [[ $changed -eq 1 ]]; then
    log "docker API already answering; $CONF changed but takes effect only at the next dockerd start"
  else
    log "docker API already answering"
  fi
  exit 0
fi

log "starting dockerd (log: $LOG)"
# setsid: the daemon must not die with this script's process group.
setsid nohup /usr/sbin/dockerd >>"$LOG" 2>&1 < /dev/null &
pid=$!
log "dockerd pid $pid"

deadline=$(( SECONDS + TIMEOUT ))
until api_up; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "[start-docker] dockerd exited; last lines of $LOG:" >&2
    tail -n 30 "$LOG" >&2
    exit 1
  fi
  if (( SECONDS >= deadline )); then
    echo "[start-docker] docker API not answering after ${TIMEOUT}s; last lines of $LOG:" >&2
    tail -n 30 "$LOG" >&2
    exit 1
  fi
  sleep 0.5
done
log "docker API answering ($("$DOCKER" version -f '{{.Server.Version}}'))"
