#!/usr/bin/env bash
# End-to-end ingest benchmark through Kafka: EVENTS events on the topics of a fresh broker
# container, then the audit service consumes them into SQLite and into PostgreSQL.
#   bench/audit/run-e2e.sh [EVENTS=200000] [BATCH=2000]
# Needs the test environment (scripts/prepare-test-env.sh) and scripts/start-postgres.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
EVENTS=${1:-200000}
BATCH=${2:-2000}
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
# -am: common comes from this checkout (a fresh clone has nothing in ~/.m2; nothing is installed).
# The harness (bench/audit/src) is compiled against the service's classes and test classes
# (AuditHarness, Events, Postgres, KafkaTestSupport).
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
mvn -B -q -pl audit-service -am package dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
CP="audit-service/target/test-classes:audit-service/target/classes:$(cat "$CP_FILE")"
OUT=bench/audit/target/e2e-classes
mkdir -p "$OUT"
javac -d "$OUT" -cp "$CP" bench/audit/src/dev/stevedore/audit/bench/IngestThroughputBench.java
KAFKA_IMAGE=$(sed -n 's:.*<kafka.broker.version>\(.*\)</kafka.broker.version>.*:\1:p' pom.xml | head -1)
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost TESTCONTAINERS_CHECKS_DISABLE=true
set +e
java -Xmx2g ${BENCH_JAVA_OPTS:-} -Dstevedore.kafka.image="stevedore/kafka:$KAFKA_IMAGE" \
  -Dlogback.configurationFile=bench/audit/logback.xml \
  -cp "$OUT:$CP" dev.stevedore.audit.bench.IngestThroughputBench "$EVENTS" "$BATCH"
rc=$?
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
exit $rc
