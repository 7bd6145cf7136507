#!/usr/bin/env python3
"""Checks `weir tune --retrain N --export DIR` against `weir train`: each
exported .weir holds no search space; its best epoch is the lowest val_loss
of `weir train` with the printed best-epoch seed; and its weights are what
`weir train` writes, byte for byte, trained with the printed seed for the
printed epochs on an .npz whose training split is the train and test
splits together (one thread, as the test's search).

usage: check_retrain.py WEIR DATA.npz OUT.txt WORKDIR"""
import csv
import filecmp
import os
import re
import subprocess
import sys

import numpy as np

weir, data, out, work = sys.argv[1:5]
d = np.load(data)
merged = os.path.join(work, "merged.npz")
np.savez(merged, x_train=np.concatenate([d["x_train"], d["x_test"]]),
         y_train=np.concatenate([d["y_train"], d["y_test"]]),
         x_test=d["x_test"], y_test=d["y_test"])
line = re.compile(r"trial (\d+): best epoch (\d+) \(val_loss, seed (\d+)\), "
                  r"retrained (\d+) epochs on train \+ test \(seed (\d+)\): "
                  r"(\S+\.weir), (\S+\.safetensors)")
found = [m.groups() for m in map(line.search, open(out)) if m]
assert found, open(out).read()
for trial, best, best_seed, epochs, seed, model, weights in found:
    text = open(model).read()
    for call in ("int(", "float(", "choice(", "boolean("):
        assert call not in text, (model, call)
    hist = os.path.join(work, "retrain.csv")
    subprocess.run([weir, "train", model, "--data", data, "--seed", best_seed, "--threads", "1",
                    "--history", hist, "-o", os.path.join(work, "probe.st")],
                   check=True, stdout=subprocess.DEVNULL)
    losses = [float(r["val_loss"]) for r in csv.DictReader(open(hist))]
    assert losses.index(min(losses)) + 1 == int(best), (model, losses, best)
    assert int(epochs) == max(1, int(int(best) * 1.2)), (best, epochs)
    again = os.path.join(work, "again.safetensors")
    subprocess.run([weir, "train", model, "--data", merged, "--seed", seed, "--threads", "1",
                    "--epochs", epochs, "--no-validation", "-o", again],
                   check=True, stdout=subprocess.DEVNULL)
    assert filecmp.cmp(again, weights, shallow=False), (weights, again)
print("ok: %d models, each as weir train trains it" % len(found))
