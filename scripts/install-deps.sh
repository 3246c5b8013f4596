#!/usr/bin/env bash
# Installs the Debian packages the test environment needs (Docker engine, registry, compose v1,
# busybox, debootstrap, PostgreSQL, ...). Idempotent: does nothing when everything is present.
set -euo pipefail

log() { printf '[install-deps] %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
  echo "[install-deps] must run as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
  docker.io docker-registry docker-compose busybox-static debootstrap
  git curl ca-certificates iproute2 postgresql openssh-server
  apache2-utils chromium chromium-driver prometheus
  webhook wrk
)

installed() {
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]
}

missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "all packages already installed"
  exit 0
fi
log "missing: ${missing[*]}"

apt_update() {
  log "apt-get update"
  apt-get update -q
}

# Update the package lists only when needed: when a missing package has no install candidate,
# or when the lists are older than a day (their versions may be gone from the mirror).
need_update=0
stamp=/var/lib/apt/periodic/update-success-stamp
lists_newest=$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -printf '%T@\n' 2>/dev/null | sort -n | tail -1)
if [[ -z ${lists_newest} ]]; then
  need_update=1
elif (( $(date +%s) - ${lists_newest%.*} > 86400 )) && [[ ! -e $stamp || $(( $(date +%s) - $(stat -c %Y "$stamp") )) -gt 86400 ]]; then
  need_update=1
else
  for p in "${missing[@]}"; do
    cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [[ -z $cand || $cand == "(none)" ]]; then need_update=1; break; fi
  done
fi
[[ $need_update -eq 1 ]] && apt_update

install() {
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

log "apt-get install ${missing[*]}"
if ! install; then
  # A stale list can point at versions the mirror no longer has: refresh once and retry.
  log "install failed; refreshing package lists and retrying"
  apt_update
  install
fi

# Debian's postgresql package starts a cluster service through systemd where there is one;
# tests start their own server, so nothing else is needed here.
log "done"
