#!/usr/bin/env bash
# Makes the secrets of the compose set-up in deploy/keys/ (git-ignored), keeping those that exist:
#   trigger-private.pem, trigger-public.pem   the trigger's Ed25519 key pair (PKCS#8 / X.509 PEM);
#                                             agents trust the public half
#   generic-hook-token, generic-hook-hmac     the generic webhook's URL token and HMAC secret
#   postgres-password, audit-reader-token     PostgreSQL's password, the audit API's bearer token
# Files are mode 0640, group 10001 (the services' user in their images), directory 0750.
# Usage: deploy/generate-secrets.sh [DIR]   (default: deploy/keys beside this script)
set -euo pipefail
DIR=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/keys}
umask 077
mkdir -p "$DIR"

made=()
random_secret() {  # random_secret FILE: 32 random bytes, hex
  [[ -s $1 ]] && return 0
  openssl rand -hex 32 > "$1"
  made+=("$(basename "$1")")
}

if [[ ! -s $DIR/trigger-private.pem ]]; then
  openssl genpkey -algorithm ed25519 -out "$DIR/trigger-private.pem"
  rm -f "$DIR/trigger-public.pem"
  made+=(trigger-private.pem)
fi
if [[ ! -s $DIR/trigger-public.pem ]]; then
  openssl pkey -in "$DIR/trigger-private.pem" -pubout -out "$DIR/trigger-public.pem"
  made+=(trigger-public.pem)
fi
random_secret "$DIR/generic-hook-token"
random_secret "$DIR/generic-hook-hmac"
random_secret "$DIR/postgres-password"
random_secret "$DIR/audit-reader-token"

chgrp 10001 "$DIR" "$DIR"/*
chmod 0750 "$DIR"
chmod 0640 "$DIR"/*
chmod 0644 "$DIR/trigger-public.pem"
if [[ ${#made[@]} -gt 0 ]]; then
  echo "[generate-secrets] made in $DIR: ${made[*]}"
else
  echo "[generate-secrets] $DIR: every secret already present"
fi
