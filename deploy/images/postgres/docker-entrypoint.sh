#!/bin/bash
# Entrypoint of stevedore/postgres, compatible with the official image's variables:
#   POSTGRES_PASSWORD / POSTGRES_PASSWORD_FILE  superuser password (required unless
#                                               POSTGRES_HOST_AUTH_METHOD=trust)
#   POSTGRES_USER (default postgres), POSTGRES_DB (default = POSTGRES_USER)
#   POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD (default scram-sha-256), PGDATA
# On first start (empty PGDATA): initdb, create POSTGRES_DB, run /docker-entrypoint-initdb.d/*.
# Then PostgreSQL runs in the foreground as user postgres, listening on all interfaces.
set -Eeuo pipefail

log() { printf '[entrypoint] %s\n' "$*" >&2; }

file_env() {  # file_env VAR [DEFAULT]: VAR or the content of VAR_FILE
  local var=$1 def=${2:-} file_var="${1}_FILE"
  if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
    log "both $var and $file_var are set"; exit 1
  fi
  local val=$def
  if [[ -n ${!var:-} ]]; then val=${!var}; elif [[ -n ${!file_var:-} ]]; then val=$(<"${!file_var}"); fi
  export "$var"="$val"
  unset "$file_var"
}

# Arguments starting with '-' are options for postgres.
if [[ ${1:-} == -* ]]; then set -- postgres "$@"; fi

if [[ ${1:-} != postgres ]]; then exec "$@"; fi

# Read *_FILE secrets while still root (as the official image does): the files may be root-only.
# The values are exported, so they survive the switch to user postgres below.
if [[ -z ${STEVEDORE_PG_ENV_DONE:-} ]]; then
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  export STEVEDORE_PG_ENV_DONE=1
fi

if [[ $(id -u) == 0 ]]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi

: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"

if [[ ! -s $PGDATA/PG_VERSION ]]; then
  if [[ -z $POSTGRES_PASSWORD && $POSTGRES_HOST_AUTH_METHOD != trust ]]; then
    log "the database is uninitialised and POSTGRES_PASSWORD is not set (set it, or POSTGRES_HOST_AUTH_METHOD=trust to allow every connection without a password)"
    exit 1
  fi
  log "initdb in $PGDATA (superuser $POSTGRES_USER)"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options
  initdb -D "$PGDATA" --username="$POSTGRES_USER" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD" $POSTGRES_INITDB_ARGS >/dev/null
  rm -f "$pwfile"
  # initdb only allows 127.0.0.1 and ::1: let every client of the container's networks in.
  printf '\n# added by the stevedore/postgres entrypoint\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >> "$PGDATA/pg_hba.conf"
  [[ $POSTGRES_HOST_AUTH_METHOD == scram-sha-256 ]] && echo "password_encryption = 'scram-sha-256'" >> "$PGDATA/postgresql.conf"

  # A temporary server on the Unix socket only, for the database and the init scripts.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" -w start >/dev/null
  psql_base=(psql -v ON_ERROR_STOP=1 --no-psqlrc -h /var/run/postgresql --username "$POSTGRES_USER")
  if [[ $POSTGRES_DB != postgres ]]; then
    exists=$("${psql_base[@]}" -d postgres -tA -v db="$POSTGRES_DB" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")
    if [[ $exists != 1 ]]; then
      log "creating database $POSTGRES_DB"
      "${psql_base[@]}" -d postgres -v db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";' >/dev/null
    fi
  fi
  shopt -s nullglob
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) log "running $f"; bash "$f" ;;
      *.sql) log "running $f"; "${psql_base[@]}" -d "$POSTGRES_DB" -f "$f" >/dev/null ;;
      *) log "ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  log "initialisation done"
fi

# The server needs no password in its environment.
unset POSTGRES_PASSWORD STEVEDORE_PG_ENV_DONE
# The image's settings first: options given as arguments come later and win.
exec "$1" -c listen_addresses='*' -c unix_socket_directories=/var/run/postgresql "${@:2}"
