#!/usr/bin/python3
# Checks, with numpy (and safetensors/torch when installed), files InteropTest wrote.
#
# Usage: check_interop.py DIR. DIR holds <dtype>.npy for every dtype numpy has
# and all.safetensors; element i of each (flattened, shape (2, 3, 4)) follows
# the formulas below, which FixturesTest.cpp's interop test restates.
import json
import struct
import sys

import numpy as np

SHAPE = (2, 3, 4)
i = np.arange(24)
EXPECTED = {  # name: (numpy dtype, values as that dtype)
    "F64": ("<f8", (i * 0.25 - 1).astype("<f8")),
    "I64": ("<i8", (i * 1000000007 - 3).astype("<i8")),
    "F32": ("<f4", (i * 0.5 - 3).astype("<f4")),
    "I32": ("<i4", (i * 100003 - 500000).astype("<i4")),
    "F16": ("<f2", (0x3C00 + i).astype("<u2").view("<f2")),
    "BF16": ("<u2", (0x3F80 + i).astype("<u2")),  # Raw bits: numpy has no bf16.
    "U8": ("|u1", ((i * 37) % 256).astype("u1")),
    "I8": ("|i1", ((i * 37) % 256 - 128).astype("i1")),
    "BOOL": ("|b1", i % 3 == 0),
}
METADATA = {"format": "pt", "producer": "weir"}


def check(name, array, dtype=None):
    want_dtype, want = EXPECTED[name]
    dtype = dtype or want_dtype
    assert array.dtype == np.dtype(dtype), (name, array.dtype, dtype)
    assert array.shape == SHAPE, (name, array.shape)
    assert np.array_equal(array.reshape(-1).view(want.dtype), want), name


def main(d):
    for name in EXPECTED:
        if name != "BF16":
            check(name, np.load(f"{d}/{name}.npy"))
    print("numpy: np.load read every .npy")

    # An independent reading of the safetensors spec.
    raw = open(f"{d}/all.safetensors", "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    text = raw[8 : 8 + n].decode("utf-8")
    assert n % 8 == 0 and text.startswith("{"), "header not padded to 8 bytes"
    header = json.loads(text)
    assert header.pop("__metadata__") == METADATA
    data = raw[8 + n :]
    covered = 0
    for name, entry in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        assert sorted(entry) == ["data_offsets", "dtype", "shape"], entry
        begin, end = entry["data_offsets"]
        assert begin == covered, (name, begin, covered)
        covered = end
        assert entry["dtype"] == name and tuple(entry["shape"]) == SHAPE
        check(name, np.frombuffer(data[begin:end], dtype=EXPECTED[name][0]).reshape(SHAPE))
    assert covered == len(data)
    print("spec: all.safetensors parsed by hand")

    try:
        from safetensors import safe_open
    except ImportError:
        print("safetensors: not installed, skipped")
    else:
        with safe_open(f"{d}/all.safetensors", framework="np") as f:
            assert f.metadata() == METADATA
            assert sorted(f.keys()) == sorted(EXPECTED)
            for name in EXPECTED:
                if name != "BF16":
                    check(name, f.get_tensor(name))
        print("safetensors: safe_open(framework='np') read every tensor but BF16")

    try:
        import torch
        from safetensors.torch import load_file
    except ImportError:
        print("torch: not installed, skipped")
    else:
        tensors = load_file(f"{d}/all.safetensors")
        assert tensors["BF16"].dtype == torch.bfloat16
        check("BF16", tensors["BF16"].view(torch.int16).numpy(), "<i2")
        for name in EXPECTED:
            if name != "BF16":
                check(name, tensors[name].numpy())
        print("torch: safetensors.torch.load_file read every tensor")
    print("interop ok")


if __name__ == "__main__":
    main(sys.argv[1])
