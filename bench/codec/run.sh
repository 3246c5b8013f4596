#!/usr/bin/env bash
# Event codec benchmark: the canonical form that signatures and the audit hash chain cover, written
# in one pass (EventCodec.canonicalBytes now) against the older path (tree -> sorted maps -> bytes),
# over every event type, rounds A B A B in one JVM; also the whole sign-and-encode of a request.
# Nothing but a JVM: no broker, no Docker.
# Usage: bench/codec/run.sh [--rounds 6] [--seconds 3]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
# -am: common from this checkout (nothing is installed in the local Maven repository).
mvn -B -q -pl common -am package dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
CP="$ROOT/common/target/test-classes:$ROOT/common/target/classes:$(cat "$CP_FILE")"
OUT=bench/codec/target/classes
mkdir -p "$OUT"
# In the codec's package: the older path is package-private (kept as the writer's fallback and reference).
javac -d "$OUT" -cp "$CP" bench/codec/src/dev/stevedore/common/event/*.java
echo "[bench/codec] machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
exec java -Xmx256m -cp "$ROOT/$OUT:$CP" dev.stevedore.common.event.CanonicalBench "$@"
