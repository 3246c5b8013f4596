#!/usr/bin/env bash
# Fleet fan-out benchmark: one all-at-once request (a signed GitHub push into the trigger) to N
# real agents in one JVM (each its own host id, state directory, Kafka consumer and producer; a
# driver that takes a fixed time per step), against N bare kafka-clients consumers (own group
# each) as the floor, blocks A B A B; broker CPU with N idle agents. Needs dockerd and the
# stevedore/kafka image (scripts/prepare-test-env.sh); starts and removes its own broker.
# Usage: bench/fleet/run.sh [--sizes 10,50,200] [--rounds 5] [--warmup-rounds 5] [--step-ms 100] [--fetch-max-wait-ms 20000]
#                           [--idle-seconds 20] [--blocks 2] [--restart-percent 10] [--no-rollout] [--subscription assign|group]
# --blocks 1 runs A B once (large sizes: 1,000 agents take minutes to start); idle CPU in the first pair,
# the restart in the last A block. FLEET_JAVA_OPTS=-Xmx8g for 1,000 agents. Clients reach the broker at its
# container address (no docker-proxy); --via-docker-proxy uses the mapped host port instead.
# FLEET_WORK_PARENT=/dev/shm puts the agents' state directories on tmpfs (one shared disk is not a fleet's).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost TESTCONTAINERS_CHECKS_DISABLE=true
CP_FILE=$(mktemp)
# FLEET_WORK_PARENT: where the agents' state directories go (default /tmp; /dev/shm takes the one shared disk out)
WORK=$(mktemp -d "${FLEET_WORK_PARENT:-/tmp}"/fleet-bench.XXXXXX)
trap 'rm -rf "$CP_FILE" "$WORK"' EXIT
if [[ "${FLEET_SKIP_BUILD:-}" == 1 && -s bench/fleet/target/classpath.txt ]]; then
  echo "[bench/fleet] FLEET_SKIP_BUILD=1: using the jars and classpath of the last build"
  cp bench/fleet/target/classpath.txt "$CP_FILE"
else
  echo "[bench/fleet] building the trigger's shaded jar and the agent (with -am: common from this checkout)"
  mvn -B -q -pl trigger-service -am package -DskipTests >/dev/null
  mvn -B -q -pl deploy-agent -am package dependency:build-classpath -DskipTests \
    -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
  mkdir -p bench/fleet/target && cp "$CP_FILE" bench/fleet/target/classpath.txt
fi
JAR=$(ls "$ROOT"/trigger-service/target/trigger-service-*-all.jar | head -1)
CP="$ROOT/deploy-agent/target/test-classes:$ROOT/deploy-agent/target/classes:$(cat "$CP_FILE")"
OUT=bench/fleet/target/classes
mkdir -p "$OUT"
javac -d "$OUT" -cp "$CP" bench/fleet/src/dev/stevedore/fleet/bench/*.java
echo "[bench/fleet] machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -h | awk '/^Mem:/ {print $2}') memory; load average $(cut -d' ' -f1-3 /proc/loadavg)"
KAFKA_IMAGE=$(sed -n 's:.*<kafka.broker.version>\(.*\)</kafka.broker.version>.*:\1:p' "$ROOT/pom.xml" | head -1)
# FLEET_JAVA_OPTS: extra JVM options for the bench JVM (e.g. a JFR recording).
# shellcheck disable=SC2086
java -Xmx3g -Xss256k ${FLEET_JAVA_OPTS:-} -Dstevedore.kafka.image="stevedore/kafka:${KAFKA_IMAGE:-4.1.1}" \
  -Dlogback.configurationFile="$ROOT/bench/fleet/logback.xml" \
  -cp "$ROOT/$OUT:$CP" dev.stevedore.fleet.bench.FleetBench --jar "$JAR" --work "$WORK" "$@"
