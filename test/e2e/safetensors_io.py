"""Safetensors files for the end-to-end checks, written and read from the
format's description (an 8-byte little-endian header length, a JSON header
of dtype, shape and data offsets, then the raw data), independently of
Weir's own reader and writer."""
import json
import struct

import numpy as np

_KINDS = {"F64": np.float64, "F32": np.float32}


def write_safetensors(path, tensors):
    """Writes `tensors` (name -> array) as F64."""
    header, blobs, offset = {}, [], 0
    for name, a in tensors.items():
        a = np.ascontiguousarray(a, dtype=np.float64)
        header[name] = {"dtype": "F64", "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        blobs.append(a.tobytes())
        offset += a.nbytes
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    """name -> array of every F64 or F32 tensor in `path`."""
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + a:8 + n + b],
                                  dtype=_KINDS[info["dtype"]]).reshape(info["shape"])
    return out
