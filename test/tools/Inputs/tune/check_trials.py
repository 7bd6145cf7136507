#!/usr/bin/env python3
"""Checks the trials `weir tune` recorded for space.weir.

Each trial's values must lie in the search space, the points must differ,
and each execution's score must be what `weir train` gets on its own: the
model file with the values written in place of the search-space calls,
trained with the execution's recorded seed (for a hyperband trial, for its
epochs), whose history CSV gives the best
val_accuracy over the epochs (to the CSV's 9 digits) and that epoch. The
trial's score is the mean of its executions'.

usage: check_trials.py WEIR SPACE.weir DATA.npz DIR WORKDIR
"""
import csv
import glob
import json
import math
import os
import subprocess
import sys

weir, space, data, directory, work = sys.argv[1:6]
text = open(space).read()
calls = {
    "dense.units": "int(4..32, step: 4)",
    "dense.activation": "choice(relu, tanh)",
    "optimizer.learning_rate": "float(1e-3..1e-1, sampling: log)",
}
trials = sorted(glob.glob(os.path.join(directory, "trial_*.json")))
assert trials, "no trials in " + directory
points = set()
for path in trials:
    t = json.load(open(path))
    v = t["values"]
    assert set(v) == set(calls), v
    units = int(v["dense.units"])
    assert 4 <= units <= 32 and units % 4 == 0, v
    assert v["dense.activation"] in ("relu", "tanh"), v
    lr = float(v["optimizer.learning_rate"])
    assert 1e-3 <= lr <= 1e-1, v
    # Hyperband trains one configuration in several rounds.
    key = (tuple(sorted(v.items())), t.get("round"))
    assert key not in points, "a point was tried twice: %s" % (key,)
    points.add(key)
    model = text
    for name, call in calls.items():
        model = model.replace(call, v[name])
    scores = []
    for i, e in enumerate(t["executions"]):
        m = os.path.join(work, "point.weir")
        open(m, "w").write(model)
        hist = os.path.join(work, "point.csv")
        # A hyperband round trains on from the round before; from scratch
        # for as many epochs, the same run.
        epochs = ["--epochs", str(t["epochs"])] if "epochs" in t else []
        subprocess.run([weir, "train", m, "--data", data, "--seed", e["seed"],
                        "--threads", "1", "--history", hist,
                        "-o", os.path.join(work, "point.safetensors")] + epochs,
                       check=True, stdout=subprocess.DEVNULL)
        accs = [float(r["val_accuracy"]) for r in csv.DictReader(open(hist))]
        best = max(accs)
        assert abs(best - e["score"]) < 1e-6, (path, i, best, e["score"])
        assert accs.index(best) + 1 == e["best_epoch"], (path, accs, e)
        scores.append(e["score"])
    assert math.isclose(t["score"], sum(scores) / len(scores), rel_tol=1e-12), t
print("ok: %d trials, each execution as weir train trains it" % len(trials))
