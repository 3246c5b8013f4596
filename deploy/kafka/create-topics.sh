#!/bin/sh
# The topic-creation step of docker-compose.yml (service kafka-init, in the Kafka image): waits
# for the broker, then creates Stevedore's topics when missing, and exits 0. POSIX sh, so it runs
# in the official apache/kafka image and in stevedore/kafka alike.
#   BOOTSTRAP (kafka:19092), PARTITIONS (3), REPLICATION (1), WAIT_SECONDS (120),
#   MIN_INSYNC (min.insync.replicas of every topic: REPLICATION - 1 from three replicas up, else 1)
set -eu
BOOTSTRAP=${BOOTSTRAP:-kafka:19092}
PARTITIONS=${PARTITIONS:-3}
REPLICATION=${REPLICATION:-1}
WAIT_SECONDS=${WAIT_SECONDS:-120}
if [ "$REPLICATION" -ge 3 ]; then MIN_INSYNC=${MIN_INSYNC:-$((REPLICATION - 1))}; else MIN_INSYNC=${MIN_INSYNC:-1}; fi
TOPICS=/opt/kafka/bin/kafka-topics.sh

start=$(date +%s)
until "$TOPICS" --bootstrap-server "$BOOTSTRAP" --list >/dev/null 2>&1; do
  if [ $(( $(date +%s) - start )) -ge "$WAIT_SECONDS" ]; then
    echo "[kafka-init] broker $BOOTSTRAP not answering after ${WAIT_SECONDS} s" >&2
    exit 1
  fi
  sleep 1
done
echo "[kafka-init] broker $BOOTSTRAP answers after $(( $(date +%s) - start )) s"

# A cluster answers before all its brokers have registered: a replication factor above the brokers
# known yet fails, so each creation is retried until WAIT_SECONDS.
create() {  # create TOPIC PARTITIONS [--config K=V ...]
  topic=$1 parts=$2
  shift 2
  until "$TOPICS" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$topic" \
      --partitions "$parts" --replication-factor "$REPLICATION" --config "min.insync.replicas=$MIN_INSYNC" "$@"; do
    if [ $(( $(date +%s) - start )) -ge "$WAIT_SECONDS" ]; then
      return 1
    fi
    sleep 2
  done
}
# Requests keyed environment/service, events keyed by deployment id; heartbeats keyed by host id,
# compacted (the latest per host), one partition; the trigger's schedules keyed by schedule id,
# compacted, a record kept at least a day before compaction may drop it (docs/operations.md).
# In parallel: each call is a JVM start.
create stevedore.deploy.requests "$PARTITIONS" & p1=$!
create stevedore.deploy.events "$PARTITIONS" & p2=$!
create stevedore.dead-letters "$PARTITIONS" & p3=$!
create stevedore.agent.heartbeats 1 --config cleanup.policy=compact & p4=$!
create stevedore.trigger.schedules "$PARTITIONS" --config cleanup.policy=compact \
  --config min.compaction.lag.ms=86400000 & p5=$!
# Fleet rollouts (docs/rollouts.md): their events; their state, compacted, with the requests topic's
# partition count; the fleet-wide blocklist, compacted.
create stevedore.rollout.events "$PARTITIONS" & p6=$!
create stevedore.rollout.state "$PARTITIONS" --config cleanup.policy=compact \
  --config min.compaction.lag.ms=60000 & p7=$!
create stevedore.fleet.blocklist "$PARTITIONS" --config cleanup.policy=compact & p8=$!
failed=0
for p in $p1 $p2 $p3 $p4 $p5 $p6 $p7 $p8; do wait "$p" || failed=1; done
if [ "$failed" -ne 0 ]; then
  echo "[kafka-init] creating the topics failed" >&2
  exit 1
fi
echo "[kafka-init] topics ready after $(( $(date +%s) - start )) s"
