#!/usr/bin/env bash
# Deploy-agent benchmark: overhead per deployment, unavailability window per strategy, memory.
# Needs the test environment (scripts/prepare-test-env.sh: dockerd, registry, images).
# Usage: bench/agent/run.sh [deploys-per-strategy]   (default 10). Prints the figures.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost TESTCONTAINERS_CHECKS_DISABLE=true
mvn -B -q -pl deploy-agent package -DskipTests
mvn -B -q -pl deploy-agent dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cd deploy-agent
KAFKA_IMAGE=$(sed -n 's:.*<kafka.broker.version>\(.*\)</kafka.broker.version>.*:\1:p' "$ROOT/pom.xml" | head -1)
exec java -Xmx512m -Dstevedore.kafka.image="stevedore/kafka:$KAFKA_IMAGE" \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.stevedore.agent.bench.AgentBench "$@"
