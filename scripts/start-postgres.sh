#!/usr/bin/env bash
# Starts the shared PostgreSQL 15 server for Stevedore's tests and local use, idempotently.
#   - data directory /var/lib/stevedore/pg (override: STEVEDORE_PG_DIR), owned by user postgres
#   - listens on 127.0.0.1 only, port 55432 (override: STEVEDORE_PG_PORT)
#   - role and database "stevedore", password "stevedore" (override: STEVEDORE_PG_PASSWORD)
# Prints the JDBC URL on its last line. Run as root. Stop it with scripts/stop-postgres.sh.
set -euo pipefail

log() { printf '[start-postgres] %s\n' "$*" >&2; }

PGDIR=${STEVEDORE_PG_DIR:-/var/lib/stevedore/pg}
PORT=${STEVEDORE_PG_PORT:-55432}
PASSWORD=${STEVEDORE_PG_PASSWORD:-stevedore}
TIMEOUT=${STEVEDORE_PG_TIMEOUT:-60}

[[ $(id -u) -eq 0 ]] || { echo "[start-postgres] must run as root" >&2; exit 1; }

BIN=""
for v in 15 16 17; do
  if [[ -x /usr/lib/postgresql/$v/bin/pg_ctl ]]; then BIN=/usr/lib/postgresql/$v/bin; break; fi
done
if [[ -z $BIN ]]; then
  log "PostgreSQL binaries missing: installing the Debian package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends postgresql >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends postgresql >/dev/null; }
  for v in 15 16 17; do
    if [[ -x /usr/lib/postgresql/$v/bin/pg_ctl ]]; then BIN=/usr/lib/postgresql/$v/bin; break; fi
  done
  [[ -n $BIN ]] || { echo "[start-postgres] no pg_ctl after installing postgresql" >&2; exit 1; }
fi

as_pg() { runuser -u postgres -- "$@"; }

mkdir -p "$PGDIR"
chown postgres:postgres "$PGDIR"
chmod 700 "$PGDIR"

if [[ ! -s $PGDIR/PG_VERSION ]]; then
  log "initdb in $PGDIR"
  pwfile=$(mktemp)
  printf '%s\n' "$PASSWORD" > "$pwfile"
  chown postgres "$pwfile"
  as_pg "$BIN/initdb" -D "$PGDIR" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
fi

# Settings owned by this script (rewritten each time, so a changed port applies after restart).
cat > "$PGDIR/stevedore.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$PGDIR'
max_connections = 200
shared_buffers = 128MB
fsync = on
CONF
chown postgres:postgres "$PGDIR/stevedore.conf"
grep -q "^include_if_exists = 'stevedore.conf'" "$PGDIR/postgresql.conf" \
  || echo "include_if_exists = 'stevedore.conf'" >> "$PGDIR/postgresql.conf"

if as_pg "$BIN/pg_ctl" -D "$PGDIR" status >/dev/null 2>&1; then
  log "already running"
else
  log "starting on 127.0.0.1:$PORT"
  as_pg "$BIN/pg_ctl" -D "$PGDIR" -l "$PGDIR/server.log" -w -t "$TIMEOUT" start >/dev/null
fi

deadline=$((SECONDS + TIMEOUT))
until "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; do
  (( SECONDS < deadline )) || { echo "[start-postgres] not ready after ${TIMEOUT}s; see $PGDIR/server.log" >&2; exit 1; }
  sleep 0.5
done

psql_pg() { as_pg "$BIN/psql" -h "$PGDIR" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [[ $(psql_pg -c "SELECT 1 FROM pg_roles WHERE rolname = 'stevedore'") != 1 ]]; then
  log "creating role stevedore"
  psql_pg -c "CREATE ROLE stevedore LOGIN"
fi
# The password is passed through psql's variable quoting, never spliced into SQL by the shell.
psql_pg -v pw="$PASSWORD" <<'SQL'
ALTER ROLE stevedore PASSWORD :'pw';
SQL
if [[ $(psql_pg -c "SELECT 1 FROM pg_database WHERE datname = 'stevedore'") != 1 ]]; then
  log "creating database stevedore"
  psql_pg -c "CREATE DATABASE stevedore OWNER stevedore"
fi

echo "jdbc:postgresql://127.0.0.1:$PORT/stevedore"
