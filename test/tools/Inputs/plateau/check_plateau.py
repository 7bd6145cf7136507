#!/usr/bin/env python3
"""Replays Keras 3's ReduceLROnPlateau over a logged history.

Reads the history CSV that `weir train --history` wrote and, from the
monitored column alone, computes the learning rate each epoch should have
trained with, with Keras' on_epoch_end (keras/src/callbacks/
reduce_lr_on_plateau.py): count the cooldown down (clearing the wait), an
improvement beyond min_delta becomes the best (clearing the wait), else
outside a cooldown the wait grows and at `patience` the rate becomes
max(rate * factor, min_lr) if it is above min_lr (as float32), a cooldown
starts and the wait clears. Compares with the CSV's learning_rate column
and requires at least one reduction (otherwise the test shows nothing).

usage: check_plateau.py HISTORY.csv MONITOR LR FACTOR PATIENCE MIN_DELTA COOLDOWN MIN_LR
"""
import csv
import math
import sys

import numpy as np

path, monitor = sys.argv[1], sys.argv[2]
lr, factor, patience, min_delta, cooldown, min_lr = (
    float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]),
    float(sys.argv[6]), int(sys.argv[7]), float(sys.argv[8]))
rows = list(csv.DictReader(open(path)))
minimize = "acc" not in monitor
best = math.inf if minimize else -math.inf
wait = counter = 0
expected, reductions = [], 0
for row in rows:
    expected.append(lr)
    current = float(row[monitor])
    if counter > 0:
        counter -= 1
        wait = 0
    if (current < best - min_delta) if minimize else (current > best + min_delta):
        best = current
        wait = 0
    elif not counter > 0:
        wait += 1
        if wait >= patience:
            if lr > np.float32(min_lr):
                lr = max(lr * factor, min_lr)
                reductions += 1
                counter = cooldown
                wait = 0
got = [float(r["learning_rate"]) for r in rows]
for epoch, (g, e) in enumerate(zip(got, expected), start=1):
    if abs(g - e) > 1e-6 * e:
        sys.exit(f"FAIL: epoch {epoch} trained at {g}, Keras' algorithm says {e}")
if reductions == 0:
    sys.exit("FAIL: no reduction happened; nothing tested")
print(f"ok: {len(rows)} epochs, {reductions} reductions, final rate {expected[-1]:g}")
