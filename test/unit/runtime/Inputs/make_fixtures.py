#!/usr/bin/python3
# Writes the .npy and .safetensors fixtures FixturesTest.cpp reads, with numpy only.
#
# Run from anywhere: /usr/bin/python3 make_fixtures.py  (writes next to itself).
# The outputs are committed; the build never runs this. The values are simple
# formulas (np.arange-based) that FixturesTest.cpp restates independently.
import json
import os
import struct

import numpy as np
from numpy.lib import format as npformat

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, array, version=None):
    path = os.path.join(HERE, name)
    if version is None:
        np.save(path, array)  # np.save picks version 1.0 for these.
    else:
        with open(path, "wb") as f:
            npformat.write_array(f, array, version=version)


def write_npy_fixtures():
    save("f32_v1.npy", (np.arange(24, dtype="<f4") * 0.5 - 3).reshape(2, 3, 4))
    save("i64_v2.npy", (np.arange(12, dtype="<i8") - 5).reshape(3, 4) * 1000000007,
         version=(2, 0))
    save("u8_v3.npy", np.arange(10, dtype="u1") * 25, version=(3, 0))
    save("bool_v1.npy", np.array([[True, False, True], [False, False, True]]))
    save("f16_v1.npy", np.array([1.0, -2.5, 65504.0, 0.0], dtype="<f2"))
    save("f64_scalar_v1.npy", np.array(3.25, dtype="<f8"))
    save("i8_v1.npy", np.arange(-2, 3, dtype="i1") * 50)
    save("i32_v1.npy", np.array([[-2147483648, -1], [0, 2147483647]], dtype="<i4"))
    save("i32_empty_v1.npy", np.zeros((0, 3), dtype="<i4"))
    # Files numpy writes that the reader must refuse.
    save("bad_fortran.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
    save("bad_bigendian.npy", np.arange(4, dtype=">i4"))
    save("bad_complex.npy", np.arange(3, dtype="<c8"))


def bf16_bits(values):
    # Exact for these values: their float32 forms have 16 zero low bits.
    bits = np.array(values, dtype="<f4").view("<u4")
    assert np.all(bits & 0xFFFF == 0)
    return (bits >> 16).astype("<u2")


def write_safetensors_fixture():
    # Header in this order; data laid out in name order, so header order and
    # data order differ (the format allows it).
    tensors = {
        "dense.kernel": ("F32", (np.arange(6, dtype="<f4") * 0.25 - 0.5).reshape(3, 2)),
        "dense.bias": ("F32", np.array([-1.0, 1.0], dtype="<f4")),
        "step": ("I64", np.array(42, dtype="<i8")),
        "mask": ("BOOL", np.array([True, False, False, True])),
        "half": ("F16", np.array([0.5, -1.0, 2048.0], dtype="<f2")),
        "bf": ("BF16", bf16_bits([1.0, -2.0, 0.15625])),
        "pixels": ("U8", np.array([[0, 255], [128, 7]], dtype="u1")),
        "delta": ("I8", np.array([-128, 0, 127], dtype="i1")),
        "count": ("I32", np.array([-7, 123456], dtype="<i4")),
        "empty": ("F64", np.zeros((0, 4), dtype="<f8")),
        "precise": ("F64", np.array([np.pi, -1e300], dtype="<f8")),
    }
    data = b""
    offsets = {}
    for name in sorted(tensors):
        raw = tensors[name][1].tobytes()
        offsets[name] = [len(data), len(data) + len(raw)]
        data += raw
    header = {"__metadata__": {"format": "pt", "producer": "make_fixtures.py"}}
    for name, (dtype, array) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": offsets[name]}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(os.path.join(HERE, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(data)


if __name__ == "__main__":
    write_npy_fixtures()
    write_safetensors_fixture()
