#!/usr/bin/env bash
# Stops the PostgreSQL server started by scripts/start-postgres.sh (fast shutdown). Idempotent.
set -euo pipefail
PGDIR=${STEVEDORE_PG_DIR:-/var/lib/stevedore/pg}
[[ $(id -u) -eq 0 ]] || { echo "[stop-postgres] must run as root" >&2; exit 1; }
BIN=""
for v in 15 16 17; do
  if [[ -x /usr/lib/postgresql/$v/bin/pg_ctl ]]; then BIN=/usr/lib/postgresql/$v/bin; break; fi
done
[[ -n $BIN && -s $PGDIR/PG_VERSION ]] || { echo "[stop-postgres] nothing to stop"; exit 0; }
if runuser -u postgres -- "$BIN/pg_ctl" -D "$PGDIR" status >/dev/null 2>&1; then
  runuser -u postgres -- "$BIN/pg_ctl" -D "$PGDIR" -m fast -w stop >/dev/null
  echo "[stop-postgres] stopped"
else
  echo "[stop-postgres] not running"
fi
