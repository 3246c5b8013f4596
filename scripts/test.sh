#!/usr/bin/env bash
# The project's test command: the README gives it and .ci/run calls exactly it.
# From a bare Debian 12 machine (as root) or a warm one: prepares the test environment
# (packages, Docker engine, local registry, PostgreSQL, locally built images; a few seconds when
# warm), runs every unit and integration test with Maven, then the system-level checks that need
# the packaged jars: the newcomer test (the README's run command from a fresh clone) and the
# compose smoke test (the root docker-compose.yml).
# Extra arguments go to Maven and skip the system-level checks, e.g.
#   scripts/test.sh -pl deploy-agent -Dit.test=DeployCycleIT
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/prepare-test-env.sh
(set -x; mvn -B -fae verify "$@")   # -fae: every module that can run does, so one run shows every failure
if [[ $# -eq 0 ]]; then
  (set -x; scripts/newcomer-test.sh)
  (set -x; scripts/compose-smoke.sh)
fi
