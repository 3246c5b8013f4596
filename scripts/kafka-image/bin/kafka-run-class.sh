#!/bin/bash
# Runs a Kafka class with the image's jars: kafka-run-class.sh CLASS [ARGS...]
set -euo pipefail
KAFKA_HOME=${KAFKA_HOME:-/opt/kafka}
LOG4J=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$KAFKA_HOME/config/tools-log4j2.properties}
# shellcheck disable=SC2086 # *_OPTS are lists of JVM options
exec java ${KAFKA_HEAP_OPTS:--Xmx256m} ${KAFKA_TOOLS_OPTS:-} $LOG4J -cp "$KAFKA_HOME/libs/*" "$@"
