#!/usr/bin/env bash
# The newcomer test: does what the README tells a newcomer, from a fresh clone, and fails when the
# README drifts from the code. Reads the run command from README.md (the block after
# <!-- newcomer:run -->), runs it in a fresh clone of this repository's HEAD, waits for the
# printed "Deploy the next version" curl line, runs it, and checks that the demo serves the new
# version and that the audit API (the printed audit curl line) shows the deployment as
# succeeded; then stops the launcher with SIGINT (Ctrl-C) and checks that it stops cleanly.
# Usage: newcomer-test.sh [docker|git ...]   (default: docker git, i.e. both demo drivers)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODES=("$@")
[[ ${#MODES[@]} -gt 0 ]] || MODES=(docker git)
WORK=$(mktemp -d /tmp/stevedore-newcomer.XXXXXX)
LAUNCHER_PID=""
passed=0
failed=0

log() { printf '[newcomer] %s\n' "$*"; }
cleanup() {
  if [[ -n $LAUNCHER_PID ]] && kill -0 "$LAUNCHER_PID" 2>/dev/null; then
    kill -INT "$LAUNCHER_PID" 2>/dev/null || true
    sleep 10
    kill -KILL "$LAUNCHER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The command of the fenced block that follows a marker line in README.md.
readme_command() {
  awk -v marker="<!-- newcomer:$1 -->" '
    $0 == marker { found = 1; next }
    found && /^```/ { if (inblock) exit; inblock = 1; next }
    found && inblock { print; exit }
  ' "$ROOT/README.md"
}

RUN=$(readme_command run)
[[ -n $RUN ]] || { log "README.md has no <!-- newcomer:run --> block"; exit 1; }
log "README run command: $RUN"

log "fresh clone of HEAD into $WORK/stevedore"
git clone -q "$ROOT" "$WORK/stevedore"

wait_for_line() {  # wait_for_line FILE PATTERN SECONDS
  local deadline=$(( SECONDS + $3 ))
  until grep -q -- "$2" "$1"; do
    if ! kill -0 "$LAUNCHER_PID" 2>/dev/null; then
      log "the launcher exited; its output:"; tail -n 60 "$1"; return 1
    fi
    (( SECONDS < deadline )) || { log "no '$2' within $3 s; output:"; tail -n 60 "$1"; return 1; }
    sleep 1
  done
}

# Runs one newcomer session with the demo driver $1; returns non-zero on the first failure.
session() {
  local mode=$1 out=$WORK/run-$1.log started=$SECONDS
  log "--- demo driver: $mode ---"
  rm -rf "$WORK/stevedore/.stevedore"
  # Exactly the README's command, in the clone, as a newcomer's shell would run it.
  (cd "$WORK/stevedore" && STEVEDORE_DEMO_MODE=$mode exec bash -c "$RUN") >"$out" 2>&1 &
  LAUNCHER_PID=$!
  wait_for_line "$out" "Ctrl-C stops everything" 600 || return 1
  log "$mode: up after $(( SECONDS - started )) s"
  grep -q "demo driver: $mode" "$out" || { log "expected the $mode demo driver:"; grep "demo driver" "$out"; return 1; }

  local deploy audit answer id
  deploy=$(grep -A1 '^Deploy the next version:' "$out" | tail -n 1 | sed 's/^ *//')
  audit=$(grep "Authorization: Bearer" "$out" | head -n 1 | sed 's/^ *//')
  [[ $deploy == curl* && $audit == curl* ]] || { log "the printed curl lines are missing"; return 1; }
  answer=$(bash -c "$deploy")
  log "$mode: deploy answered $answer"
  id=$(printf '%s' "$answer" | sed -n 's/.*"deploymentId":"\([^"]*\)".*/\1/p')
  [[ -n $id ]] || { log "no deploymentId in the answer"; return 1; }

  local deadline=$(( SECONDS + 120 )) version="" listed=""
  while (( SECONDS < deadline )); do
    version=$(curl -sS --max-time 2 http://127.0.0.1:18080/version || true)
    listed=$(bash -c "$audit" || true)
    if [[ $version == v2 ]] && printf '%s' "$listed" | grep -q "\"id\":\"$id\"[^}]*\"status\":\"succeeded\""; then
      break
    fi
    sleep 1
  done
  [[ $version == v2 ]] || { log "the demo serves '$version', not v2"; tail -n 40 "$out"; return 1; }
  printf '%s' "$listed" | grep -q "\"id\":\"$id\"[^}]*\"status\":\"succeeded\"" \
    || { log "the audit API does not show $id as succeeded: $listed"; return 1; }
  log "$mode: the demo serves v2 and the audit API shows $id succeeded"

  kill -INT "$LAUNCHER_PID"
  local rc=0
  wait "$LAUNCHER_PID" || rc=$?
  LAUNCHER_PID=""
  grep -q "Stevedore stopped." "$out" || { log "no clean stop after Ctrl-C (exit $rc)"; tail -n 30 "$out"; return 1; }
  if curl -sS --max-time 2 http://127.0.0.1:8080/health/live >/dev/null 2>&1; then
    log "the trigger still answers after Ctrl-C"; return 1
  fi
  log "$mode: stopped cleanly after Ctrl-C; session took $(( SECONDS - started )) s"
}

for mode in "${MODES[@]}"; do
  if session "$mode"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "newcomer: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
