#!/usr/bin/env bash
# The newcomer test: does what the README tells a newcomer, from a fresh clone, and fails when the
# README drifts from the code. Reads the run command from README.md (the block after
# <!-- newcomer:run -->), runs it in a fresh clone of this repository's HEAD, waits for the
# printed "Deploy the next version" curl line, runs it, and checks that the demo serves the new
# version and that the audit API (the printed audit curl line) shows the deployment as
# succeeded; then stops the launcher with SIGINT (Ctrl-C) in the first session and SIGTERM (what
# systemd, docker and kill send) in the next, alternating, and checks that it stops cleanly within
# NEWCOMER_STOP_SECONDS (default 120). When it does not, the test names the process that is still
# there (and its children), prints a thread dump and its last output, and kills it.
# Usage: newcomer-test.sh [docker|git ...]   (default: docker git, i.e. both demo drivers)
# NEWCOMER_STOP_SIGNAL=INT|TERM stops every session with that signal instead.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODES=("$@")
[[ ${#MODES[@]} -gt 0 ]] || MODES=(docker git)
STOP_SECONDS=${NEWCOMER_STOP_SECONDS:-120}
WORK=$(mktemp -d /tmp/stevedore-newcomer.XXXXXX)
LAUNCHER_PID=""
passed=0
failed=0

log() { printf '[newcomer] %s\n' "$*"; }

# descendants PID: every process below PID (children first found by parent pid, then theirs).
descendants() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null || true); do
    echo "$child"
    descendants "$child"
  done
}

# stop_launcher SIGNAL OUTPUT SECONDS: sends SIGNAL to the launcher and waits at most SECONDS for it
# to exit. Returns 0 when it exited (its exit code in STOP_RC), 1 when it did not: then it says
# which processes are still there, asks the JVM for a thread dump (SIGQUIT prints it to the
# launcher's output), shows the end of that output, and kills the launcher and its children.
STOP_RC=""
stop_launcher() {
  local signal=$1 out=$2 bound=$3 pid=$LAUNCHER_PID deadline=$(( SECONDS + $3 ))
  local children
  children=$(descendants "$pid")
  kill "-$signal" "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do
    sleep 1
  done
  if ! kill -0 "$pid" 2>/dev/null; then
    STOP_RC=0
    wait "$pid" 2>/dev/null || STOP_RC=$?
    LAUNCHER_PID=""
    local left=""
    for child in $children; do
      kill -0 "$child" 2>/dev/null && left="$left $child"
    done
    if [[ -n $left ]]; then
      log "the launcher exited (code $STOP_RC) but left processes running:"
      ps -o pid,ppid,stat,etime,args -p "${left# }" 2>/dev/null | sed 's/^/[newcomer]   /' || true
      kill -KILL $left 2>/dev/null || true
      return 1
    fi
    return 0
  fi
  log "the launcher (pid $pid) did not stop within $bound s of SIG$signal; still running:"
  ps -o pid,ppid,stat,etime,args -p "$(echo "$pid" $(descendants "$pid") | tr ' ' ',')" 2>/dev/null \
    | sed 's/^/[newcomer]   /' || true
  kill -QUIT "$pid" 2>/dev/null || true   # a JVM prints its threads (what the shutdown hook waits on)
  sleep 3
  log "its last output (thread dump included):"
  tail -n 120 "$out" | sed 's/^/[newcomer]   /'
  kill -KILL "$pid" $(descendants "$pid") 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  LAUNCHER_PID=""
  return 1
}

cleanup() {
  if [[ -n $LAUNCHER_PID ]] && kill -0 "$LAUNCHER_PID" 2>/dev/null; then
    local children
    children=$(descendants "$LAUNCHER_PID")
    kill -INT "$LAUNCHER_PID" 2>/dev/null || true
    local deadline=$(( SECONDS + 30 ))
    while kill -0 "$LAUNCHER_PID" 2>/dev/null && (( SECONDS < deadline )); do sleep 1; done
    kill -KILL "$LAUNCHER_PID" $children 2>/dev/null || true
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

# Runs one newcomer session with the demo driver $1, stopping the launcher with signal $2;
# returns non-zero on the first failure.
session() {
  local mode=$1 signal=$2 out=$WORK/run-$1.log started=$SECONDS
  log "--- demo driver: $mode ---"
  rm -rf "$WORK/stevedore/.stevedore"
  : >"$out"   # exists before the launcher's subshell opens it, so the first grep finds a file
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

  local stop_started=$SECONDS
  stop_launcher "$signal" "$out" "$STOP_SECONDS" || return 1
  grep -q "Stevedore stopped." "$out" || { log "no clean stop after SIG$signal (exit $STOP_RC)"; tail -n 30 "$out"; return 1; }
  if curl -sS --max-time 2 http://127.0.0.1:8080/health/live >/dev/null 2>&1; then
    log "the trigger still answers after SIG$signal"; return 1
  fi
  if (exec 3<>/dev/tcp/127.0.0.1/19092) 2>/dev/null; then
    log "something still listens on the embedded broker's port 19092 after SIG$signal"; return 1
  fi
  log "$mode: stopped cleanly $(( SECONDS - stop_started )) s after SIG$signal (exit $STOP_RC); session took $(( SECONDS - started )) s"
}

signals=(INT TERM)
i=0
for mode in "${MODES[@]}"; do
  signal=${NEWCOMER_STOP_SIGNAL:-${signals[$(( i % 2 ))]}}
  i=$(( i + 1 ))
  if session "$mode" "$signal"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "newcomer: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
