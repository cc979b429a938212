#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: the normal build with
# warnings as errors, then the ASan+UBSan build. Run as root on Debian 12.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"

bash packaging/install-deps.sh

jobs=$(nproc)
echo "== format check"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find common daemon tests -name '*.[ch]')
clang-format --dry-run -Werror $files

for type in Release ASan; do
	dir="build-ci-$type"
	echo "== build $type"
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DGOSSIPD_WERROR=ON \
		-DGOSSIPD_FUZZ="$([ "$type" = ASan ] && echo ON || echo OFF)" \
		-DCMAKE_C_COMPILER="$([ "$type" = ASan ] && echo clang || echo cc)" >/dev/null
	cmake --build "$dir" -j "$jobs"
	echo "== test $type"
	(cd "$dir" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j "$jobs" --timeout 600)
done
