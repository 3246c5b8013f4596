#!/usr/bin/env bash
# End-to-end ingest benchmark through Kafka: EVENTS events on the topics of a fresh broker
# container, then the audit service consumes them into SQLite and into PostgreSQL.
#   bench/audit/run-e2e.sh [EVENTS=200000] [BATCH=2000]
# Needs the test environment (scripts/prepare-test-env.sh) and scripts/start-postgres.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS=${1:-200000}
BATCH=${2:-2000}
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
mvn -B -pl audit-service -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dit.test=IngestThroughputBench -Dbench.events="$EVENTS" -Dbench.batch="$BATCH" 2>&1 \
  | grep -E "BENCH|Tests run:|FAIL|ERROR\]" || true
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
