#!/usr/bin/env bash
# run-fuzz.sh TARGET CORPUS_DIR SECONDS: runs one libFuzzer target for a
# bounded time over a scratch copy of its seed corpus (the repository's
# corpus is never written), then prints executions and coverage.
# Exits non-zero on any crash, leak, timeout or sanitizer report.
set -euo pipefail
target=$1 corpus=$2 secs=${3:-30}
work=$(mktemp -d "/tmp/fuzz-$(basename "$target").XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
if [ -d "$corpus" ]; then
	cp -r "$corpus"/. "$work/corpus/"
fi
log="$work/fuzz.log"
set +e
"$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len=65536 -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" "$work/corpus" >"$log" 2>&1
rc=$?
set -e
runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
echo "$(basename "$target"): ${runs} executions in ${secs} s, coverage ${cov} edges, exit ${rc}"
if [ "$rc" -ne 0 ]; then
	tail -n 60 "$log"
	ls -l "$work/artifacts"
	exit 1
fi
