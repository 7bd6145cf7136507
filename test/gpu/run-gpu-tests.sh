#!/bin/sh
# Builds and runs Weir's GPU tests on a machine with an NVIDIA GPU and prints
# the CUDA-vs-CPU comparison table. Usage: test/gpu/run-gpu-tests.sh [build-dir]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22
fi
ninja -C "$build" weir-gpu-tests weir-device-tests
echo "== device unit tests (recording fake)"
"$build/bin/weir-device-tests" --gtest_brief=1
echo "== GPU tests"
exec "$build/bin/weir-gpu-tests"
