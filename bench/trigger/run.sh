#!/usr/bin/env bash
# Trigger-service benchmark (issue #14): the trigger against the peer adnanh/webhook (HMAC-SHA256
# check, branch match, runs /bin/true) and the floor (Kafka's ProducerPerformance, acks=all,
# idempotent), one load generator for all, rounds A B A B, each subject started fresh every round.
# Reports, for the window from the first request (minute 1) and the window after --late seconds of
# load (minute 5): closed-loop throughput, p99 at a fixed rate (request -> 202; for the trigger, after
# Kafka's acknowledgement), and process CPU per accepted webhook; then the ratios to peer and floor.
# Needs dockerd and the stevedore/kafka image (scripts/prepare-test-env.sh), and the Debian package
# webhook (installed here with apt-get when missing). Loopback only.
# Usage: bench/trigger/run.sh [--window 60] [--late 240] [--rounds 2] [--rate 1000] [--concurrency 32]
#          [--variant NAME=[jar=PATH] [java=PATH] [env:NAME=VALUE] JVM-OPTIONS]... [--no-peer] [--no-floor]
#          [--idle-after-ready SECONDS]
#   quick:  bench/trigger/run.sh --window 20 --late 60
#   JVM options compared in the same run: --variant default= --variant c1=-XX:TieredStopAtLevel=1
#   another build or JVM in the same run: --variant main=jar=/tmp/main-trigger-all.jar
#          --variant jdk25=java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java -XX:AOTCache=/tmp/trigger.aot
#   the earlier one-process phases (warm-up, fixed rates, 128 in flight):
#          bench/trigger/run.sh --phases [--seconds 10] [--concurrency 128] [--rates 500,1000,2000] [--warmup 20]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

MAIN=dev.stevedore.trigger.bench.PeerBench
if [ "${1:-}" = "--phases" ]; then
  MAIN=dev.stevedore.trigger.bench.WebhookBench
  shift
elif ! command -v webhook >/dev/null 2>&1 && [[ " $* " != *" --no-peer "* ]]; then
  echo "[bench/trigger] installing the peer, adnanh/webhook (Debian package webhook)"
  apt-get install -y webhook >/dev/null 2>&1 || sudo apt-get install -y webhook >/dev/null
fi

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

echo "[bench/trigger] machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -h | awk '/^Mem:/ {print $2}') memory, load average $(cut -d' ' -f1-3 /proc/loadavg)"
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=localhost
export TESTCONTAINERS_CHECKS_DISABLE=true
# exec is not used: the EXIT trap removes the classpath file
java -Xmx1g -Dstevedore.kafka.image="${STEVEDORE_KAFKA_IMAGE:-stevedore/kafka:4.1.1}" \
  -Dlogback.configurationFile="$ROOT/bench/trigger/logback-bench.xml" \
  -cp "$OUT:$CP" \
  "$MAIN" --jar "$JAR" "$@"
