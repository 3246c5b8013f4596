#!/usr/bin/env bash
# Issue #12's load test: floods /hooks/github with unsigned requests (default 2,000/s for 30 s, from
# 127.0.0.2) while a signed delivery is sent every second (from 127.0.0.1, a new connection each);
# every signed delivery must get 202 within 1 s. Loopback only; stops by itself. Exit 0 = pass.
# Needs dockerd and the stevedore/kafka image (scripts/prepare-test-env.sh).
# Usage: bench/trigger/flood.sh [--seconds 30] [--rate 2000] [--connections 64] [--warmup 0]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

echo "[bench/trigger/flood] building the trigger's shaded jar and test classes, then the harness (reactor, -am: nothing installed)"
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
mvn -B -q -pl trigger-service -am package dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
JAR=trigger-service/target/trigger-service-0.1.0-SNAPSHOT-all.jar
# The harness lives in bench/trigger/src (not src/test): compiled here against the trigger's classes
# and test classes (TestKafka, Hmac).
CP="trigger-service/target/test-classes:trigger-service/target/classes:$(cat "$CP_FILE")"
OUT=bench/trigger/target/classes
mkdir -p "$OUT"
javac -d "$OUT" -cp "$CP" bench/trigger/src/dev/stevedore/trigger/bench/*.java

echo "[bench/trigger/flood] machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -h | awk '/^Mem:/ {print $2}') memory"
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=localhost
export TESTCONTAINERS_CHECKS_DISABLE=true
exec java -Xmx512m -Dstevedore.kafka.image="${STEVEDORE_KAFKA_IMAGE:-stevedore/kafka:4.1.1}" \
  -Dlogback.configurationFile="$ROOT/bench/trigger/logback-bench.xml" \
  -cp "$OUT:$CP" \
  dev.stevedore.trigger.bench.FloodBench --jar "$JAR" "$@"
