"""Writes the inputs of weir-run.test into a directory: good and bad arrays
and weight files, built with numpy and the safetensors layout by hand."""
import json
import os
import struct
import sys

import numpy as np

d = sys.argv[1]
os.makedirs(d, exist_ok=True)
rng = np.random.default_rng(7)
np.save(os.path.join(d, "x.npy"), rng.integers(0, 256, (3, 28, 28, 1), dtype=np.uint8))
np.save(os.path.join(d, "x_f32.npy"), rng.random((3, 28, 28, 1), dtype=np.float32))
np.save(os.path.join(d, "x_shape.npy"), rng.integers(0, 256, (3, 28, 27, 1), dtype=np.uint8))
nan = rng.random((2, 4), dtype=np.float32)
nan[1, 2] = np.nan
np.save(os.path.join(d, "x_nan.npy"), nan)
with open(os.path.join(d, "not_npy.npy"), "wb") as f:
    f.write(b"hello, this is not an array\n")


def safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name, a in tensors.items():
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + a.nbytes]}
        blobs.append(a.tobytes())
        off += a.nbytes
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


f32 = np.float32
safetensors(os.path.join(d, "w_shape.safetensors"),
            {"dense.kernel": np.zeros((784, 32), f32), "dense.bias": np.zeros(64, f32),
             "dense_1.kernel": np.zeros((64, 10), f32), "dense_1.bias": np.zeros(10, f32)})
safetensors(os.path.join(d, "w_missing.safetensors"),
            {"dense.kernel": np.zeros((784, 64), f32), "dense.bias": np.zeros(64, f32)})
w = np.zeros((4, 2), f32)
w[0, 1] = np.inf
safetensors(os.path.join(d, "w_inf.safetensors"), {"w": w})
