#!/usr/bin/env bash
# The project's test command (README and .ci/run both call this). Needs the environment of
# scripts/prepare-test-env.sh. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
set -x
mvn -B verify "$@"
