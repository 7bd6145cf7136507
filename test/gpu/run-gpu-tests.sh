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
out=$("$build/bin/weir-gpu-tests") || { echo "$out"; exit 1; }
echo "$out"
case "$out" in SKIPPED*) exit 0 ;; esac

# Whole training runs: `weir train --device=cuda` (kernels, cuBLAS/cuDNN,
# managed memory) against the CPU with one replica, same seed and data,
# one epoch. Dropout masks and augmentation draws are the same counter
# hashes on both; only summation orders differ, so the epoch's losses
# agree to about 1e-4 and must within 1e-3.
ninja -C "$build" weir
data=/usr/share/datasets/fashion-mnist
echo "== training, CUDA against the CPU (1 epoch, seed 0)"
if [ ! -d "$data" ]; then
  echo "skipped: $data is missing (apt-get install dataset-fashion-mnist)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
printf '%-5s %-9s %12s %12s %10s\n' model value cpu cuda rel
for model in mlp cnn; do
  for device in cpu cuda; do
    "$build/bin/weir" train "$root/examples/fashion_$model.weir" --data "$data" \
      --epochs 1 --seed 0 --threads 1 --device=$device \
      -o "$work/$model-$device.safetensors" > "$work/$model-$device.log" 2>&1 ||
      { cat "$work/$model-$device.log"; status=1; continue 2; }
  done
  for value in loss val_loss; do
    cpu=$(grep '^epoch' "$work/$model-cpu.log" | tr -s ' ' '\n' | grep -A1 "^$value\$" | tail -1)
    gpu=$(grep '^epoch' "$work/$model-cuda.log" | tr -s ' ' '\n' | grep -A1 "^$value\$" | tail -1)
    awk -v m=$model -v v=$value -v c="$cpu" -v g="$gpu" 'BEGIN {
      r = (c - g) / (c < 0 ? -c : c); if (r < 0) r = -r;
      printf "%-5s %-9s %12s %12s %10.1e %s\n", m, v, c, g, r, r < 1e-3 ? "ok" : "DIFFERS";
      exit r < 1e-3 ? 0 : 1 }' || status=1
  done
done
exit $status
