#!/usr/bin/env python3
"""Two weir tune directories hold the same trials: values and scores.
usage: same_trials.py DIR_A DIR_B"""
import glob
import json
import os
import sys

a, b = sys.argv[1:3]
names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(a, "trial_*.json")))
assert names == sorted(os.path.basename(p) for p in glob.glob(os.path.join(b, "trial_*.json"))), "different trials"
for n in names:
    ta, tb = json.load(open(os.path.join(a, n))), json.load(open(os.path.join(b, n)))
    for key in ("values", "score", "executions"):
        assert ta[key] == tb[key], (n, key, ta[key], tb[key])
print("ok: %d identical trials" % len(names))
