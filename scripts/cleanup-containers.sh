#!/usr/bin/env bash
# Removes what tests leave behind (Ryuk is disabled): containers and networks labelled
# org.testcontainers=true or stevedore.test=true. Idempotent.
set -euo pipefail

log() { printf '[cleanup] %s\n' "$*"; }

DOCKER=/usr/bin/docker
if ! timeout 10 "$DOCKER" info >/dev/null 2>&1; then
  log "docker API not answering: nothing to clean"
  exit 0
fi

for label in org.testcontainers=true stevedore.test=true; do
  mapfile -t ids < <("$DOCKER" ps -aq --filter "label=$label")
  if [[ ${#ids[@]} -gt 0 ]]; then
    log "removing ${#ids[@]} container(s) labelled $label"
    "$DOCKER" rm -f -v "${ids[@]}" >/dev/null
  fi
  mapfile -t nets < <("$DOCKER" network ls -q --filter "label=$label")
  if [[ ${#nets[@]} -gt 0 ]]; then
    log "removing ${#nets[@]} network(s) labelled $label"
    "$DOCKER" network rm "${nets[@]}" >/dev/null || true
  fi
done
log "done"
