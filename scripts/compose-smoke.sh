#!/usr/bin/env bash
# Smoke test of the root docker-compose.yml, with images built locally (no registry pulls):
#   1. the services' jars (mvn package, only when missing or SMOKE_BUILD_JARS=1), the base images
#      (build-images.sh when one is missing, build-compose-images.sh), `docker-compose build`
#   2. fresh secrets (Ed25519 key pair, webhook token and HMAC secret, passwords) in a temporary
#      git-ignored folder; the agent's config with this run's demo port and project name
#   3. `docker-compose -p $SMOKE_PROJECT up -d` on free 127.0.0.1 ports; waits for /health/ready
#   4. an unsigned webhook must get 401; a signed generic webhook for demo v2 must get 202
#   5. the demo app on the host serves v2; the audit API shows the deployment succeeded
#   6. always: `docker-compose down -v`, the demo containers the agent started, the temp folder
# Prints the time of every phase. Exit code 0 only when every check passed.
# Environment: SMOKE_PROJECT (stevedore-smoke), SMOKE_KEEP=1 (leave it running, print how to stop),
#   SMOKE_BUILD_JARS=1, SMOKE_TIMEOUT (seconds per wait, 180), SMOKE_VERSION (v2).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"

DOCKER=/usr/bin/docker
COMPOSE=${COMPOSE:-docker-compose}
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0
PROJECT=${SMOKE_PROJECT:-stevedore-smoke}
TIMEOUT=${SMOKE_TIMEOUT:-180}
VERSION=${SMOKE_VERSION:-v2}
REGISTRY=127.0.0.1:5000

t0=$SECONDS
phase_start=$SECONDS
timings=()
log() { printf '[compose-smoke %4ds] %s\n' $(( SECONDS - t0 )) "$*"; }
fail() { printf '[compose-smoke %4ds] FAIL: %s\n' $(( SECONDS - t0 )) "$*" >&2; exit 1; }
phase() {  # phase NAME: closes the running phase under NAME
  timings+=("$(printf '%-28s %4d s' "$1" $(( SECONDS - phase_start )))")
  phase_start=$SECONDS
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# ---- configuration of this run --------------------------------------------------------------------
mkdir -p "$ROOT/deploy/generated"
RUN_DIR=$(mktemp -d "$ROOT/deploy/generated/$PROJECT.XXXXXX")
chmod 0755 "$RUN_DIR"
DEMO_PROJECT=$PROJECT-demo

export COMPOSE_PROJECT_NAME=$PROJECT
# The broker image scripts/build-images.sh built, tagged with the version the pom pins.
KAFKA_VERSION=$(sed -n 's:.*<kafka.broker.version>\(.*\)</kafka.broker.version>.*:\1:p' "$ROOT/pom.xml" | head -1)
export KAFKA_IMAGE=stevedore/kafka:${KAFKA_VERSION:?kafka.broker.version not found in pom.xml}
export POSTGRES_IMAGE=stevedore/postgres:15
export JRE_IMAGE=stevedore/jre:17
export AGENT_BASE_IMAGE=stevedore/agent-base:17
export TRIGGER_IMAGE=stevedore/trigger-service:smoke
export AUDIT_IMAGE=stevedore/audit-service:smoke
export AGENT_IMAGE=stevedore/deploy-agent:smoke
TRIGGER_PORT=$(free_port); TRIGGER_OPS_PORT=$(free_port); AUDIT_PORT=$(free_port); KAFKA_EXTERNAL_PORT=$(free_port)
AGENT_HTTP_PORT=$(free_port); DEMO_PORT=$(free_port)
export TRIGGER_PORT TRIGGER_OPS_PORT AUDIT_PORT KAFKA_EXTERNAL_PORT AGENT_HTTP_PORT
export STEVEDORE_KEYS_DIR=$RUN_DIR/keys
export AGENT_CONFIG=$RUN_DIR/agent.yml
export KAFKA_CLUSTER_ID=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | sed 's/^-/A/')

# The smoke run's additions: every container labelled stevedore.test=true, so that
# scripts/cleanup-containers.sh removes them if this script is killed before its own clean-up.
cat > "$RUN_DIR/smoke.override.yml" <<'YAML'
services:
  kafka: {labels: {stevedore.test: "true"}}
  kafka-init: {labels: {stevedore.test: "true"}}
  postgres: {labels: {stevedore.test: "true"}}
  trigger: {labels: {stevedore.test: "true"}}
  audit: {labels: {stevedore.test: "true"}}
  agent: {labels: {stevedore.test: "true"}}
YAML
compose() { "$COMPOSE" -p "$PROJECT" -f "$ROOT/docker-compose.yml" -f "$RUN_DIR/smoke.override.yml" "$@"; }

remove_demo() {  # the demo service, which the agent started as its own compose project
  local -a demo
  mapfile -t demo < <("$DOCKER" ps -aq --filter "label=com.docker.compose.project=$DEMO_PROJECT")
  [[ ${#demo[@]} -gt 0 ]] && "$DOCKER" rm -f -v "${demo[@]}" >/dev/null
  return 0
}

cleanup() {
  local rc=$?
  set +e
  if [[ $rc -ne 0 ]]; then
    log "failure: last log lines of every service"
    compose ps
    compose logs --no-color --tail=60 2>&1 | sed 's/^/    /'
  fi
  if [[ ${SMOKE_KEEP:-0} == 1 ]]; then
    log "SMOKE_KEEP=1: left running. Stop with: $COMPOSE -p $PROJECT down -v; docker rm -f \$(docker ps -aq --filter label=com.docker.compose.project=$DEMO_PROJECT); rm -rf $RUN_DIR"
  else
    local t=$SECONDS
    compose down -v --remove-orphans --timeout 20 >/dev/null 2>&1
    remove_demo
    rm -rf "$RUN_DIR"
    log "torn down in $(( SECONDS - t )) s"
  fi
  if [[ ${#timings[@]} -gt 0 ]]; then
    printf '[compose-smoke] timings:\n'
    printf '    %s\n' "${timings[@]}"
  fi
  if [[ $rc -eq 0 ]]; then log "PASSED in $(( SECONDS - t0 )) s"; else log "FAILED (exit $rc) after $(( SECONDS - t0 )) s"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. build -------------------------------------------------------------------------------------
"$DOCKER" info >/dev/null 2>&1 || fail "docker API not answering: run scripts/prepare-test-env.sh"
command -v "$COMPOSE" >/dev/null || fail "$COMPOSE missing: run scripts/install-deps.sh"
curl -fsS -m 5 "http://$REGISTRY/v2/" >/dev/null 2>&1 || fail "registry $REGISTRY not answering: run scripts/prepare-test-env.sh"

need_base=0
for img in "$JRE_IMAGE" "$KAFKA_IMAGE" "$REGISTRY/stevedore-demo:$VERSION"; do
  "$DOCKER" image inspect "$img" >/dev/null 2>&1 || need_base=1
done
if [[ $need_base == 1 ]]; then
  log "base images missing: scripts/build-images.sh"
  "$HERE/build-images.sh"
fi
"$HERE/build-compose-images.sh"
phase "base images"

jars=(trigger-service/target/trigger-service-0.1.0-SNAPSHOT-all.jar
      audit-service/target/audit-service-0.1.0-SNAPSHOT-all.jar
      deploy-agent/target/deploy-agent-0.1.0-SNAPSHOT-all.jar)
missing=0
for j in "${jars[@]}"; do [[ -s $j ]] || missing=1; done
if [[ $missing == 1 || ${SMOKE_BUILD_JARS:-0} == 1 ]]; then
  log "mvn package of trigger-service, deploy-agent, audit-service (-am: common from this checkout)"
  mvn -B -q -pl trigger-service,deploy-agent,audit-service -am package -DskipTests
fi
for j in "${jars[@]}"; do [[ -s $j ]] || fail "$j missing after the build"; done
phase "jars"

log "docker-compose build (bases $JRE_IMAGE, $AGENT_BASE_IMAGE)"
compose build --quiet trigger audit agent
for img in "$TRIGGER_IMAGE" "$AUDIT_IMAGE" "$AGENT_IMAGE" "$POSTGRES_IMAGE"; do
  "$DOCKER" image inspect "$img" >/dev/null 2>&1 || fail "image $img missing after the build"
done
phase "service images"

# ---- 2. secrets and this run's agent config ---------------------------------------------------------
"$ROOT/deploy/generate-secrets.sh" "$STEVEDORE_KEYS_DIR" >/dev/null
sed -e "s/18080/$DEMO_PORT/g" -e "s/projectName: stevedore-demo/projectName: $DEMO_PROJECT/" \
    -e "s/hostId: compose-host-1/hostId: $PROJECT-host/" deploy/config/agent.yml > "$AGENT_CONFIG"
grep -q "$DEMO_PORT" "$AGENT_CONFIG" && grep -q "$DEMO_PROJECT" "$AGENT_CONFIG" \
  || fail "could not adapt deploy/config/agent.yml (demo port 18080 / projectName stevedore-demo changed?)"
TOKEN=$(cat "$STEVEDORE_KEYS_DIR/generic-hook-token")
HMAC=$(cat "$STEVEDORE_KEYS_DIR/generic-hook-hmac")
READER=$(cat "$STEVEDORE_KEYS_DIR/audit-reader-token")
log "ports (127.0.0.1): trigger $TRIGGER_PORT (management $TRIGGER_OPS_PORT), audit $AUDIT_PORT, kafka $KAFKA_EXTERNAL_PORT, agent $AGENT_HTTP_PORT, demo $DEMO_PORT"

# ---- 3. up --------------------------------------------------------------------------------------
# Leftovers of a run of the same project that was killed before its clean-up.
if [[ -n $("$DOCKER" ps -aq --filter "label=com.docker.compose.project=$PROJECT") || -n $("$DOCKER" ps -aq --filter "label=com.docker.compose.project=$DEMO_PROJECT") ]]; then
  log "removing the leftovers of an earlier $PROJECT run"
  compose down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true
  remove_demo
fi
compose up -d --no-build 2>&1 | sed 's/^/    /'
phase "docker-compose up -d"

wait_for() {  # wait_for WHAT CMD...: retries CMD every 0.5 s until it succeeds or TIMEOUT
  local what=$1; shift
  local start=$SECONDS
  until "$@" >/dev/null 2>&1; do
    (( SECONDS - start < TIMEOUT )) || fail "$what: not within $TIMEOUT s"
    sleep 0.5
  done
  log "$what after $(( SECONDS - start )) s"
}
ready() { curl -fsS -m 3 "http://127.0.0.1:$1/health/ready"; }
init_done() {
  [[ $("$DOCKER" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$(compose ps -q kafka-init)") == "exited 0" ]]
}
wait_for "kafka-init created the topics" init_done
wait_for "trigger ready" ready "$TRIGGER_OPS_PORT"  # the management port
wait_for "audit ready" ready "$AUDIT_PORT"
wait_for "agent ready" ready "$AGENT_HTTP_PORT"
healthy() {  # the compose file's own health check (bash /dev/tcp inside the container) says healthy
  [[ $("$DOCKER" inspect -f '{{.State.Health.Status}}' "$(compose ps -q "$1")") == healthy ]]
}
for s in trigger audit agent; do wait_for "$s healthy (its compose health check)" healthy "$s"; done
[[ $("$DOCKER" inspect -f '{{.Config.StopTimeout}}' "$(compose ps -q agent)") == 80 ]] \
  || fail "the agent's stop_grace_period is not 80 s"
phase "services healthy"

# ---- 4. webhooks --------------------------------------------------------------------------------
BODY=$(printf '{"service":"demo","environment":"production","version":"%s","commit":"%s"}' "$VERSION" "$(printf '%040d' 0 | sed 's/0/a/g')")
HOOK_URL=http://127.0.0.1:$TRIGGER_PORT/hooks/generic/$TOKEN

code=$(curl -sS -m 10 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data "$BODY" "$HOOK_URL")
[[ $code == 401 ]] || fail "an unsigned webhook got HTTP $code, expected 401"
log "unsigned webhook refused (401)"

ts=$(date +%s)
sig=$(printf '%s.%s' "$ts" "$BODY" | openssl dgst -sha256 -hmac "$HMAC" | awk '{print $NF}')
sent_at=$SECONDS
response=$(curl -sS -m 30 -w '\n%{http_code}' -H 'Content-Type: application/json' \
  -H "X-Stevedore-Timestamp: $ts" -H "X-Stevedore-Signature: sha256=$sig" \
  -H "X-Stevedore-Delivery: $PROJECT-$ts-$$" --data "$BODY" "$HOOK_URL")
code=${response##*$'\n'}
json=${response%$'\n'*}
[[ $code == 202 ]] || fail "the signed webhook got HTTP $code: $json"
DEPLOYMENT=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["deploymentId"])' "$json")
log "signed webhook accepted (202): deployment $DEPLOYMENT"
phase "webhook"

# ---- 5. the deploy happened, the audit API shows it --------------------------------------------------
serves_version() { [[ $(curl -fsS -m 2 "http://127.0.0.1:$DEMO_PORT/version") == "$VERSION" ]]; }
wait_for "demo app serves $VERSION on 127.0.0.1:$DEMO_PORT" serves_version
log "webhook to $VERSION serving: $(( SECONDS - sent_at )) s"
phase "deploy"

audit_status() {
  curl -fsS -m 5 -H "Authorization: Bearer $READER" "http://127.0.0.1:$AUDIT_PORT/api/v1/deployments/$DEPLOYMENT" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin).get("status", ""))'
}
audit_succeeded() { [[ $(audit_status) == succeeded ]]; }
wait_for "audit API shows deployment $DEPLOYMENT succeeded" audit_succeeded
code=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$AUDIT_PORT/api/v1/deployments/$DEPLOYMENT")
[[ $code == 401 ]] || fail "the audit API without a token answered $code, expected 401"
curl -fsS -m 5 -H "Authorization: Bearer $READER" "http://127.0.0.1:$AUDIT_PORT/api/v1/deployments/$DEPLOYMENT" \
  | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("    audit: %s %s/%s -> %s, status %s, %d timeline entries" % (d["id"], d["environment"], d["service"],
      d["version"], d["status"], len(d.get("timeline") or [])))'
phase "audit"
