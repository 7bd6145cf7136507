#!/usr/bin/env python3
"""Checks `weir ensemble` against numpy: the members' probabilities from
`weir predict`, averaged (or weighted by the printed weights) here, must be
the ensemble's -o output, and the printed accuracies and losses must be the
ones numpy computes from them and the labels.

usage: check_ensemble.py WEIR MODEL DATA.npz OUT.txt ENSEMBLE.npy SPLIT W1 W2 ...
"""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

weir, model, data, out, ens, split = sys.argv[1:7]
weights = sys.argv[7:]
d = np.load(data)
y = d["y_" + split].astype(np.int64)
probs = []
for w in weights:
    path = os.path.join(tempfile.mkdtemp(), "p.npy")
    subprocess.run([weir, "predict", model, "--weights", w, "--data", data,
                    "--split", split, "-o", path], check=True,
                   stdout=subprocess.DEVNULL)
    probs.append(np.load(path).astype(np.float64))
text = open(out).read()
lines = [l for l in text.splitlines() if "accuracy" in l]
assert len(lines) == len(weights) + 1, text
def printed(line):
    m = re.search(r"accuracy ([0-9.]+)  loss ([0-9.]+)", line)
    return float(m.group(1)), float(m.group(2))
def scores(p):
    return (p.argmax(1) == y).mean(), -np.log(np.maximum(p[np.arange(len(y)), y], 1e-12)).mean()
for p, line in zip(probs, lines):
    acc, loss = printed(line)
    a, l = scores(p)
    assert abs(acc - a) < 6e-5 and abs(loss - l) < 6e-5, (line, a, l)
w = [float(v) for v in re.search(r"weights ([0-9. ]+)", lines[-1]).group(1).split()]
assert abs(sum(w) - 1) < 2e-3 and min(w) >= 0, w
mixed = sum(wi * p for wi, p in zip(w, probs))
got = np.load(ens)
assert got.shape == mixed.shape, (got.shape, mixed.shape)
# The printed weights have 3 decimals; the output used the exact ones.
assert np.abs(got - mixed).max() < 2e-3 * len(w), np.abs(got - mixed).max()
acc, loss = printed(lines[-1])
a, l = scores(got.astype(np.float64))
assert abs(acc - a) < 6e-5 and abs(loss - l) < 6e-5, (lines[-1], a, l)
print("ok: %d members and their %s ensemble, as numpy computes them"
      % (len(weights), "uniform" if len(set(w)) == 1 else "weighted"))
