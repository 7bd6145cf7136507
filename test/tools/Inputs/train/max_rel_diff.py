#!/usr/bin/env python3
"""Prints the largest relative difference between two .safetensors files
(per tensor, max|a - b| / max|a|) or two .npy files, and fails above the
given tolerance.

usage: max_rel_diff.py A B TOLERANCE
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "e2e"))
from e2e_util import read_safetensors  # noqa: E402


def load(path):
    if path.endswith(".npy"):
        return {"array": np.load(path)}
    return read_safetensors(path)


def main():
    a, b, tol = load(sys.argv[1]), load(sys.argv[2]), float(sys.argv[3])
    if sorted(a) != sorted(b):
        print(f"DIFFERENT NAMES: {sorted(a)} vs {sorted(b)}")
        return 1
    worst = max(float(np.abs(a[k].astype(np.float64) - b[k]).max()) /
                max(float(np.abs(a[k]).max()), 1e-12) for k in a)
    print(f"{'SAME' if worst <= tol else 'DIFFERENT'}: max rel diff {worst:.1e}")
    return 0 if worst <= tol else 1


if __name__ == "__main__":
    sys.exit(main())
