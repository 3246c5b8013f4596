#!/usr/bin/env bash
# Issue #12's load test: floods /hooks/github with unsigned requests (default 2,000/s for 30 s, wrk
# with flood.lua from 127.0.0.1) while a signed delivery is sent every second (from 127.0.0.2, a new
# connection each); every signed delivery must get 202 within 1 s. Loopback only; stops by itself.
# Exit 0 = pass. Needs dockerd and the stevedore/kafka image (scripts/prepare-test-env.sh), and wrk
# (installed here with apt-get when missing).
# Usage: bench/trigger/flood.sh [--seconds 30] [--rate 2000] [--connections 64] [--warmup 0]
#          [--generator wrk|java|none] [--trigger-cpus 0] [--generator-cpus 1]
# (--generator java: the first harness's Vert.x flood from this JVM; --*-cpus: taskset -c lists)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

if ! command -v wrk >/dev/null 2>&1; then
  echo "[bench/trigger/flood] installing wrk (Debian package)"
  apt-get install -y wrk >/dev/null 2>&1 || sudo apt-get install -y wrk >/dev/null
fi

echo "[bench/trigger/flood] building the trigger's shaded jar and test classes, then the harness (reactor, -am: nothing installed)"
mkdir -p bench/trigger/target
CP_FILE=bench/trigger/target/classpath.txt
# FLOOD_NO_BUILD=1: reuse the last build (A/B runs of one tree; pass --jar to compare another jar)
if [ "${FLOOD_NO_BUILD:-0}" != 1 ] || [ ! -s "$CP_FILE" ]; then
  mvn -B -q -pl trigger-service -am package dependency:build-classpath -DskipTests \
    -Dmdep.includeScope=test -Dmdep.outputFile="$ROOT/$CP_FILE" >/dev/null
fi
JAR=trigger-service/target/trigger-service-0.1.0-SNAPSHOT-all.jar
# The harness lives in bench/trigger/src (not src/test): compiled here against the trigger's classes
# and test classes (TestKafka, Hmac).
CP="trigger-service/target/test-classes:trigger-service/target/classes:$(cat "$CP_FILE")"
OUT=bench/trigger/target/classes
mkdir -p "$OUT"
javac -d "$OUT" -cp "$CP" bench/trigger/src/dev/stevedore/trigger/bench/*.java

echo "[bench/trigger/flood] machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -h | awk '/^Mem:/ {print $2}') memory, load average $(cut -d' ' -f1-3 /proc/loadavg)"
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=localhost
export TESTCONTAINERS_CHECKS_DISABLE=true
exec java -Xmx512m -Dstevedore.kafka.image="${STEVEDORE_KAFKA_IMAGE:-stevedore/kafka:4.1.1}" \
  -Dlogback.configurationFile="$ROOT/bench/trigger/logback-bench.xml" \
  -cp "$OUT:$CP" \
  dev.stevedore.trigger.bench.FloodBench --jar "$JAR" "$@"
