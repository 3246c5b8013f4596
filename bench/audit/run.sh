#!/usr/bin/env bash
# Audit store benchmark: ingest events/s and filtered-page p50/p99 over N stored events,
# on SQLite and/or PostgreSQL, beside its peer: the same events as a plain batched INSERT into one
# table of the same database (passes A B A B; BENCH_PEER=0: the store alone, one pass).
# Prints the machine and the figures.
#   bench/audit/run.sh [sqlite|postgres|both] [EVENTS=1000000] [BATCH=1000] [QUERIES=500]
# PostgreSQL: scripts/start-postgres.sh first (or BENCH_PG_URL=jdbc:postgresql://...).
set -euo pipefail
cd "$(dirname "$0")/../.."
WHICH=${1:-both}
EVENTS=${2:-1000000}
BATCH=${3:-1000}
QUERIES=${4:-500}

JAR=audit-service/target/audit-service-0.1.0-SNAPSHOT-all.jar
if [[ ! -f $JAR || -n $(find audit-service/src -newer "$JAR" -type f | head -1) ]]; then
  mvn -B -q -pl audit-service -am package -DskipTests   # -am: common from this checkout
fi
OUT=bench/audit/target/classes
mkdir -p "$OUT"
javac -d "$OUT" -cp "$JAR" bench/audit/src/dev/stevedore/audit/bench/AuditBench.java

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), \
$(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), $(java -version 2>&1 | head -1)"
echo "disk: $(df -h --output=source,fstype "${TMPDIR:-/tmp}" | tail -1)"
run() {
  java -Xmx2g ${BENCH_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dlogback.configurationFile=bench/audit/logback.xml \
    -cp "$OUT:$JAR" dev.stevedore.audit.bench.AuditBench "$1" "$EVENTS" "$BATCH" "$QUERIES"
}
case $WHICH in
  sqlite) run sqlite ;;
  postgres) run postgres ;;
  both) run sqlite; run postgres ;;
  *) echo "usage: $0 [sqlite|postgres|both] [EVENTS] [BATCH] [QUERIES]" >&2; exit 2 ;;
esac
