#!/usr/bin/env bash
# run-long.sh [SECONDS] [BUILD_DIR]: builds the fuzz targets (clang, ASan +
# UBSan) and runs each for SECONDS (default 600) over its seed corpus,
# printing executions and coverage per target. Any crash fails the run.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-600}
build=${2:-$src/build-fuzz}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=ASan -DCMAKE_C_COMPILER=clang \
	-DGOSSIPD_FUZZ=ON >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
rc=0
for t in "$build"/tests/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	bash "$src/tests/fuzz/run-fuzz.sh" "$t" "$src/tests/fuzz/corpus/${name#fuzz_}" "$secs" || rc=1
done
exit $rc
