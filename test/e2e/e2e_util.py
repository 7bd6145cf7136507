"""What the end-to-end checks share: safetensors files written and read from
the format's description (an 8-byte little-endian header length, a JSON
header of dtype, shape and data offsets, then the raw data), independently
of Weir's own reader and writer; and the command line that runs a script's
named cases."""
import argparse
import json
import os
import struct

import numpy as np

_KINDS = {"F64": np.float64, "F32": np.float32}


def write_safetensors(path, tensors, dtype=np.float64):
    """Writes `tensors` (name -> array) as F64, as F32 with np.float32, or
    each in its own dtype (F32 or F64) with None."""
    kinds = {np.dtype(np.float64): "F64", np.dtype(np.float32): "F32"}
    header, blobs, offset = {}, [], 0
    for name, a in tensors.items():
        a = np.ascontiguousarray(a, dtype=dtype)
        header[name] = {"dtype": kinds[a.dtype], "shape": list(a.shape),
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


# The options every script shares; run_cases fills them in.
OPTIONS = argparse.Namespace(device="cpu")


def run_cases(cases, run_case):
    """`--weir W --workdir D [--only NAME] [--device D]`: runs
    run_case(name, W, D) for each name of `cases`, prints PASS or FAIL with
    its message, and returns the exit status (1 when any failed). The
    device (`weir --device`) is in OPTIONS.device for the cases to pass on."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--weir", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--only")
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    OPTIONS.device = args.device
    os.makedirs(args.workdir, exist_ok=True)
    failures = 0
    for name in cases:
        if args.only and name != args.only:
            continue
        ok, msg = run_case(name, args.weir, args.workdir)
        print(f"{'PASS' if ok else 'FAIL'} {name}: {msg}")
        failures += not ok
    print(f"{failures} failure(s)")
    return 1 if failures else 0
