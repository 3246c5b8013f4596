#!/usr/bin/env bash
# Start time of the `stevedore` CLI: `java -jar JAR --version`, two jars alternated A B A B in one
# run (so the machine's load hits both alike), ROUNDS pairs. Prints each run, then per jar its size,
# median and minimum wall time, and the ratio of the medians B/A. Load average before and after.
# Usage: bench/cli/start-time.sh JAR_A JAR_B [ROUNDS]   (default 10)
#   e.g. the jar of main (before) and of this checkout (after): mvn -q -pl cli -am package -DskipTests
set -euo pipefail
a=$1 b=$2 rounds=${3:-10}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
now() { date +%s%N; }
run() {  # run JAR -> milliseconds
  local t0 t1
  t0=$(now)
  "$java" -jar "$1" --version >/dev/null
  t1=$(now)
  echo $(( (t1 - t0) / 1000000 ))
}
echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
run "$a" >/dev/null; run "$b" >/dev/null   # page cache warm for both
ta=() tb=()
for ((i = 1; i <= rounds; i++)); do
  x=$(run "$a"); y=$(run "$b"); ta+=("$x"); tb+=("$y")
  echo "round $i: A ${x} ms, B ${y} ms"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; print m, v[1]}'; }
read -r ma mina < <(stats "${ta[@]}")
read -r mb minb < <(stats "${tb[@]}")
printf 'A %s: %s bytes, median %s ms, min %s ms\n' "$a" "$(stat -c %s "$a")" "$ma" "$mina"
printf 'B %s: %s bytes, median %s ms, min %s ms\n' "$b" "$(stat -c %s "$b")" "$mb" "$minb"
awk -v a="$ma" -v b="$mb" 'BEGIN { printf "median B/A: %.2f\n", b / a }'
