#!/usr/bin/env python3
"""Training throughput, Weir against PyTorch, in the same run.

Both train the examples' MLP (784-64-10) and small CNN on in-memory
Fashion-MNIST (the first --examples training images, all 60k by default),
batch 128, Adam 1e-3, 2 threads, for one epoch after a warm-up. Weir runs
`weir train --epochs 2` and reports the second epoch (its epoch line gives
samples/s; compile time is excluded); PyTorch runs
the same architecture with torch.set_num_threads(2). Peak resident memory
is each process's maxrss. The machine is shared and noisy: compare ratios
from one run, and repeat.

usage: bench/train.py [--weir build/bin/weir] [--examples 60000] [--repeat 3]
Needs PyTorch and numpy (`apt-get install python3-torch python3-numpy`).
"""
import argparse
import gzip
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = "/usr/share/datasets/fashion-mnist"


def idx(path):
    raw = gzip.open(path).read()
    nd = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(raw[4 + 4 * nd:], dtype=np.uint8).reshape(shape)


TORCH = r"""
import sys, time, resource, numpy as np, torch
torch.set_num_threads(int(sys.argv[3]))
nn = torch.nn
d = np.load(sys.argv[1])
x = torch.from_numpy(d["x_train"]).reshape(-1, 1, 28, 28)
y = torch.from_numpy(d["y_train"].astype(np.int64))
if sys.argv[2] == "mlp":
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
else:
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
def epoch():
    perm = torch.randperm(len(x))
    for i in range(0, len(x), 128):
        b = perm[i:i + 128]
        opt.zero_grad()
        loss = loss_fn(model(x[b].float() / 255.0), y[b])
        loss.backward()
        opt.step()
for i in range(0, 10 * 128, 128):   # warm-up
    opt.zero_grad(); loss_fn(model(x[i:i+128].float() / 255.0), y[i:i+128]).backward(); opt.step()
t0 = time.perf_counter()
epoch()
print(len(x) / (time.perf_counter() - t0), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def run_torch(npz, model, threads):
    out = subprocess.run([sys.executable, "-c", TORCH, npz, model, str(threads)],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1]) / 1024


# Runs a command and reports its own peak RSS (KiB) on the last line.
MAXRSS = ("import resource, subprocess, sys; "
          "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
          "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr); "
          "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)")


def run_weir(weir, npz, model, threads, workdir):
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", MAXRSS, weir, "train",
                          os.path.join(ROOT, "examples", f"fashion_{model}.weir"),
                          "--data", npz, "--epochs", "2", "--no-validation",
                          "--threads", str(threads), "-o", os.path.join(workdir, "w.safetensors")],
                         check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - t0
    rss = int(out.strip().splitlines()[-1])
    m = re.findall(r"([0-9.]+)([kM]?) samples/s\s+([0-9.]+) s", out)[-1]
    rate = float(m[0]) * {"": 1, "k": 1e3, "M": 1e6}[m[1]]
    return rate, float(m[2]), wall, rss / 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weir", default=os.path.join(ROOT, "build/bin/weir"))
    p.add_argument("--examples", type=int, default=60000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--models", default="mlp,cnn")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        npz = os.path.join(tmp, "fashion.npz")
        x = idx(os.path.join(DATA, "train-images-idx3-ubyte.gz"))[:args.examples]
        y = idx(os.path.join(DATA, "train-labels-idx1-ubyte.gz"))[:args.examples]
        np.savez(npz, x_train=x, y_train=y, x_test=x[:256], y_test=y[:256])
        print(f"# {args.examples} examples, batch 128, Adam, {args.threads} threads")
        for model in args.models.split(","):
            ratios = []
            for r in range(args.repeat):
                w, epoch_s, wall, w_rss = run_weir(args.weir, npz, model, args.threads, tmp)
                t, t_rss = run_torch(npz, model, args.threads)
                ratios.append(w / t)
                print(f"{model}: weir {w / 1e3:.1f}k samples/s (epoch {epoch_s:.2f} s, "
                      f"process {wall:.1f} s, peak RSS {w_rss:.0f} MiB)  "
                      f"pytorch {t / 1e3:.1f}k samples/s (peak RSS {t_rss:.0f} MiB)  "
                      f"ratio {w / t:.2f}x", flush=True)
            print(f"{model}: median ratio {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main()
