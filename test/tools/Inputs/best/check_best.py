#!/usr/bin/env python3
"""Checks `weir train --save-best` against the history it logged.

Reads the history CSV, finds the epoch a Keras ModelCheckpoint with
save_best_only would have saved last (the first epoch whose monitored value
is strictly better than every earlier one, lower for losses and higher for
accuracies, and after which none is better), and requires that the run went
on past it (otherwise the test shows nothing). Then trains the same model
with the same seed for exactly that many epochs and requires the --save-best
file to hold the same tensors, bit for bit.

usage: check_best.py WEIR MODEL DATA HISTORY.csv MONITOR BEST.safetensors WORKDIR
"""
import csv
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "e2e"))
from e2e_util import read_safetensors  # noqa: E402

weir, model, data, history, monitor, best_path, workdir = sys.argv[1:8]
rows = list(csv.DictReader(open(history)))
values = [float(r[monitor]) for r in rows]
maximize = "acc" in monitor
best_epoch, best = None, None
for epoch, v in enumerate(values, start=1):
    if best is None or (v > best if maximize else v < best):
        best_epoch, best = epoch, v
if best_epoch == len(values):
    sys.exit(f"FAIL: the best {monitor} is the last epoch's; nothing tested")
ref = os.path.join(workdir, "ref.safetensors")
subprocess.run([weir, "train", model, "--data", data, "--seed", "5", "--threads", "2",
                "--epochs", str(best_epoch), "-o", ref,
                "--checkpoint", os.path.join(workdir, "ref.checkpoint")],
               check=True, capture_output=True)
got, want = read_safetensors(best_path), read_safetensors(ref)
if sorted(got) != sorted(want):
    sys.exit(f"FAIL: tensors {sorted(got)} != {sorted(want)}")
for name in want:
    if got[name].tobytes() != want[name].tobytes():
        sys.exit(f"FAIL: {name} differs from the weights after epoch {best_epoch}")
print(f"ok: {best_path} holds the weights of epoch {best_epoch} of {len(values)} "
      f"({monitor} {best:.4g})")
