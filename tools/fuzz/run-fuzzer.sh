#!/usr/bin/env bash
# Builds the .weir parser fuzzer in build-fuzz/ and runs it for SECONDS
# (default 60); exits non-zero when it finds a crash, leaving the input in
# build-fuzz/fuzz-artifacts/.
#   tools/fuzz/run-fuzzer.sh [SECONDS]
set -euo pipefail

run_seconds="${1:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${WEIR_FUZZ_BUILD:-$root/build-fuzz}"

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DWEIR_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22
fi
ninja -C "$build" -j2 weir-fuzz-parser

# The corpus keeps what earlier runs found; the seeds are the example models
# and the front end's lit tests, diagnostics included (valid and invalid
# programs alike).
corpus="$build/fuzz-corpus"
artifacts="$build/fuzz-artifacts"
mkdir -p "$corpus" "$artifacts"
find "$root/examples" "$root/test/Frontend" -name '*.weir' \
  -exec cp {} "$corpus"/ \;

# The MLIR context is shared across inputs and keeps every type and
# location it has seen, so memory grows slowly: allow it.
exec "$build/bin/weir-fuzz-parser" "$corpus" \
  -dict="$root/tools/fuzz/weir.dict" \
  -max_len=4096 -max_total_time="$run_seconds" -rss_limit_mb=4096 \
  -timeout=10 -artifact_prefix="$artifacts/" -print_final_stats=1
