#!/usr/bin/env bash
# Deploy-agent benchmark: overhead per deployment, unavailability window per strategy, memory.
# Needs the test environment (scripts/prepare-test-env.sh: dockerd, registry, images).
# Usage: bench/agent/run.sh [deploys-per-strategy]   (default 10). Prints the figures.
#        BENCH_MAIN=AgentMemoryBench bench/agent/run.sh   idle memory of the agent under JVM option sets.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost TESTCONTAINERS_CHECKS_DISABLE=true
# -am: the sibling modules (common) come from this checkout, not from the local Maven repository.
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
mvn -B -q -pl deploy-agent -am package dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE"
CP="$ROOT/deploy-agent/target/test-classes:$ROOT/deploy-agent/target/classes:$(cat "$CP_FILE")"
OUT=bench/agent/target/classes
mkdir -p "$OUT"
javac -d "$OUT" -cp "$CP" bench/agent/src/dev/stevedore/agent/bench/*.java
echo "[bench/agent] machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -h | awk '/^Mem:/ {print $2}') memory"
KAFKA_IMAGE=$(sed -n 's:.*<kafka.broker.version>\(.*\)</kafka.broker.version>.*:\1:p' "$ROOT/pom.xml" | head -1)
# Runs in deploy-agent/ (the fixtures find target/ and the repository from there).
cd deploy-agent
exec java -Xmx512m -Dstevedore.kafka.image="stevedore/kafka:$KAFKA_IMAGE" \
  -cp "$ROOT/$OUT:$CP" \
  dev.stevedore.agent.bench.${BENCH_MAIN:-AgentBench} "$@"
