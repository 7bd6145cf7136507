#!/usr/bin/env python3
"""The memory plan's CUDA view against the printed IR of the same stage
(weir-cuda-kernel-pipeline): the plan counts as many buffers as the
training step has gpu.alloc ops, every buffer it lists at the peak is one of
their types with the batch for `?`, and its peak is below 90% of what they
hold in all (buffers are freed after their last use).
usage: count_gpu_allocs.py PLAN.txt KERNELS.mlir FUNCTION BATCH"""
import re
import sys

plan, ir, function, batch = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
text = open(plan).read()
lines = open(ir).read().splitlines()
start = next(i for i, l in enumerate(lines) if l.startswith("  func.func @%s(" % function))
body = []
for l in lines[start + 1:]:
    if l.startswith("  }"):
        break
    body.append(l)
allocs = [l for l in body if "gpu.alloc" in l]
types = {re.search(r": (memref<[^>]*>)", l).group(1).replace("?", batch) for l in allocs}
n = int(re.search(r"allocated in all: .* in (\d+) buffers", text).group(1))
assert n == len(allocs), (n, len(allocs))
listed = re.findall(r"^\s+[0-9.]+ [KMG]?B\s+(memref<[^>]*>)", text, re.M)
assert listed, text
for t in listed:
    assert t in types, (t, sorted(types))
peak = int(re.search(r"peak: .* \(([0-9,]+) bytes\)", text).group(1).replace(",", ""))
# Buffers are freed after their last use (weir-early-deallocs runs in the
# CUDA pipeline too), so the peak stays well below the sum of all.
size, unit = re.search(r"allocated in all: ([0-9.]+) ([KMG]?B)", text).groups()
allocated = float(size) * {"B": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30}[unit]
assert peak < 0.9 * allocated, (peak, allocated)
print("ok: %d gpu.alloc buffers, the %d listed among them, peak %d bytes"
      % (n, len(listed), peak))
