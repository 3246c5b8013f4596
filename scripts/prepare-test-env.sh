#!/usr/bin/env bash
# Prepares this machine for the integration tests, from bare Debian 12 or warm: packages, Docker
# engine, local registry, PostgreSQL server, locally built images, Testcontainers settings.
# Idempotent. Run as root.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
start=$SECONDS
step() {
  local name=$1; shift
  local t=$SECONDS
  printf '[prepare] ==> %s\n' "$name"
  "$@"
  printf '[prepare] <== %s: %d s\n' "$name" $(( SECONDS - t ))
}

testcontainers_properties() {
  # Testcontainers' start-up checks run helper containers that would be pulled: disable them.
  # (Ryuk and the host override are environment variables, set in the failsafe configuration.)
  local f=${HOME:-/root}/.testcontainers.properties
  if ! grep -qs '^checks.disable=true' "$f"; then
    printf 'checks.disable=true\n' >> "$f"
    printf '[prepare] wrote checks.disable=true to %s\n' "$f"
  fi
}

kernel_settings() {
  # The edge proxy's restart hands its port to the new process (SO_REUSEPORT); a connection queued
  # for the old listener but not yet accepted moves to the new one only with this setting (Linux
  # 5.14+), otherwise it is reset (docs/blue-green.md). EdgeProxyRestartIT needs it, as production
  # hosts that restart proxies under load do.
  if [[ -w /proc/sys/net/ipv4/tcp_migrate_req ]]; then
    echo 1 > /proc/sys/net/ipv4/tcp_migrate_req
    printf '[prepare] net.ipv4.tcp_migrate_req=%s\n' "$(cat /proc/sys/net/ipv4/tcp_migrate_req)"
  else
    printf '[prepare] net.ipv4.tcp_migrate_req cannot be set here (kernel before 5.14, or not root)\n'
  fi
}

step "install packages" "$HERE/install-deps.sh"
step "docker engine" "$HERE/start-docker.sh"
step "registry" "$HERE/start-registry.sh"
step "postgresql" "$HERE/start-postgres.sh"
step "images" "$HERE/build-images.sh"
step "testcontainers settings" testcontainers_properties
step "kernel settings" kernel_settings
printf '[prepare] test environment ready in %d s\n' $(( SECONDS - start ))
