#!/bin/bash
# Where a training step spends its time, per line of the model file.
#
#   tools/scripts/profile-train.sh examples/fashion_cnn.weir data.npz [threads]
#
# Runs one epoch of `weir train` under `perf record`; the JIT writes a
# jitdump (its code keeps the op locations as line tables, see
# weir-cpu-lowering-pipeline), `perf inject --jit` turns it into objects,
# and `perf annotate` attributes each sampled instruction of the training
# function to the `.weir` line of the op it came from. Prints the hottest
# symbols, then the share of the training function per source line.
# Needs perf (apt `linux-perf`). Run it from the model's directory, or give
# the model by a path perf can find the source at.
set -eu
model=$1 data=$2 threads=${3:-1}
weir=${WEIR:-$(dirname "$0")/../../build/bin/weir}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
JITDUMPDIR=$work perf record -q -k 1 -o "$work/perf.data" \
  "$weir" train "$model" --data "$data" --epochs 1 --no-validation \
  --threads "$threads" -o "$work/w.safetensors" > /dev/null
perf inject --jit -i "$work/perf.data" -o "$work/jit.data" 2> /dev/null
perf report -i "$work/jit.data" --no-children --sort sym 2> /dev/null |
  grep '%' | head -8
fn=$(perf report -i "$work/jit.data" --no-children --sort sym 2> /dev/null |
  grep -oE '\[\.\] [A-Za-z0-9_]*_train' | head -1 | cut -d' ' -f2)
echo "--- $fn, by source line"
perf annotate -i "$work/jit.data" --stdio -s "$fn" 2> /dev/null |
  python3 -c '
import collections, re, sys
line, share = "?", collections.Counter()
for text in sys.stdin:
    m = re.match(r"\s*:\s*\d+\s+(\S+:\d+)", text)
    if m:
        line = m.group(1)
        continue
    m = re.match(r"\s*([0-9.]+)\s*:\s*[0-9a-f]+:", text)
    if m:
        share[line] += float(m.group(1))
for where, pct in share.most_common(12):
    print(f"{pct:6.2f}%  {where}")
'
