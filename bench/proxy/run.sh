#!/usr/bin/env bash
# Edge-proxy benchmark: the latency the proxy adds (the demo app reached directly vs through the
# proxy, alternating A B A B in one run, open-loop at a fixed rate).
# Needs the test environment (scripts/prepare-test-env.sh: dockerd, registry, images).
# Usage: bench/proxy/run.sh [requests-per-second] [seconds-per-round] [rounds]   (default 1000 10 4)
# Unavailability per strategy (default, recreate, blue-green) with the agent benchmark's 20 ms
# probe: BENCH_MAIN=StrategyBench bench/proxy/run.sh [deploys-per-strategy]   (default 10)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost TESTCONTAINERS_CHECKS_DISABLE=true
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
mvn -B -q -pl deploy-agent -am package dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE"
CP="$ROOT/deploy-agent/target/test-classes:$ROOT/deploy-agent/target/classes:$(cat "$CP_FILE")"
OUT=bench/proxy/target/classes
mkdir -p "$OUT"
javac -d "$OUT" -cp "$CP" bench/proxy/src/dev/stevedore/proxy/bench/*.java
echo "[bench/proxy] machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -h | awk '/^Mem:/ {print $2}') memory, load average $(cut -d' ' -f1-3 /proc/loadavg)"
KAFKA_IMAGE=$(sed -n 's:.*<kafka.broker.version>\(.*\)</kafka.broker.version>.*:\1:p' "$ROOT/pom.xml" | head -1)
cd deploy-agent
exec java -Xmx512m ${BENCH_JAVA_OPTS:-} -Dstevedore.kafka.image="stevedore/kafka:$KAFKA_IMAGE" \
  -cp "$ROOT/$OUT:$CP" \
  dev.stevedore.proxy.bench.${BENCH_MAIN:-ProxyLatencyBench} "$@"
