#!/usr/bin/env bash
# Trigger-service benchmark: signed webhooks per second, and request -> Kafka-acknowledgement latency
# at fixed rates, on loopback. Needs dockerd and the stevedore/kafka image (scripts/prepare-test-env.sh).
# Usage: bench/trigger/run.sh [--seconds 10] [--concurrency 128] [--rates 500,1000,2000] [--instances 1] [--warmup 20]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

echo "[bench/trigger] building the trigger's shaded jar and test classes, then the harness"
# -am builds common in the same reactor (a fresh clone has nothing in ~/.m2; nothing is installed).
# One invocation, so the classpath names the reactor's own artifacts; the last module (the trigger)
# writes the file.
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

echo "[bench/trigger] machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -h | awk '/^Mem:/ {print $2}') memory"
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=localhost
export TESTCONTAINERS_CHECKS_DISABLE=true
exec java -Xmx1g -Dstevedore.kafka.image="${STEVEDORE_KAFKA_IMAGE:-stevedore/kafka:4.1.1}" \
  -Dlogback.configurationFile="$ROOT/bench/trigger/logback-bench.xml" \
  -cp "$OUT:$CP" \
  dev.stevedore.trigger.bench.WebhookBench --jar "$JAR" "$@"
