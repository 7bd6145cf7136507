"""Checks that `weir init` of an f16 or bf16 model writes its f32 twin's
weights (same seed) rounded to nearest even, reading both safetensors files
with numpy and rounding independently of Weir: numpy's float16 cast for
f16, and round-to-nearest-even on the f32 bits for bf16."""
import json
import struct
import sys

import numpy as np


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        lo, hi = entry["data_offsets"]
        out[name] = (entry["dtype"], entry["shape"], body[lo:hi])
    return out


def bf16_bits(x):
    u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


f32, half, dtype = read(sys.argv[1]), read(sys.argv[2]), sys.argv[3]
assert set(f32) == set(half), (sorted(f32), sorted(half))
for name, (kind, shape, raw) in sorted(f32.items()):
    hkind, hshape, hraw = half[name]
    assert kind == "F32" and hkind == dtype.upper() and shape == hshape, name
    x = np.frombuffer(raw, np.float32)
    got = np.frombuffer(hraw, np.uint16)
    want = (x.astype(np.float16).view(np.uint16) if dtype == "f16"
            else bf16_bits(x))
    bad = np.nonzero(got != want)[0]
    assert bad.size == 0, f"{name}: {bad.size} of {x.size} differ, first at {bad[0]}"
    print(f"{name} {dtype.upper()} {shape}: {x.size} values match")
