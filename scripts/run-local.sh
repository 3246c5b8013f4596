#!/usr/bin/env bash
# Runs Stevedore on this machine with embedded defaults: a Kafka broker (KRaft, child JVM, data in
# .stevedore/), the trigger service, the audit service on SQLite, and an agent managing a demo
# service (Docker when an engine and the demo images are there, else a git checkout).
# Builds the jars first when they are missing. Settings: stevedore-local/src/main/resources/
# local-defaults.yml, overridden by STEVEDORE_* variables or --config FILE (docs/local.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

JAR=stevedore-local/target/stevedore-local-0.1.0-SNAPSHOT-all.jar
if [[ ! -f $JAR || ! -d kafka-broker/target/libs ]]; then
  echo "Building Stevedore (first run; takes a minute or two)..."
  mvn -B -q package -DskipTests
fi
exec java ${STEVEDORE_JAVA_OPTS:-} -jar "$JAR" "$@"
