#!/usr/bin/env python3
"""The Fashion-MNIST CNN trained from its PNG tree, end to end: Weir's
pipeline against Keras 3's image_dataset_from_directory with tf.data
prefetch, and against a torchvision ImageFolder DataLoader with 2 workers.

Each contender decodes the 60,000 training PNGs of `train/<class>/`
(written once with `weir data import-idx`), shuffles, batches by 128,
scales to [0, 1] and trains the CNN of examples/fashion_cnn.weir (Adam,
sparse categorical cross-entropy) for two epochs; the second is timed.
Then the same step from the same images in memory (one .npz of the IDX
arrays: Weir's `--data`, the peers' arrays in the same process), so that

  input's cost     1 - (epoch from memory) / (epoch from PNGs): what reading
                   and decoding cost the epoch, waits and the cores the
                   decoders took from the step together;
  waited on input  the share of the epoch the step sat waiting for a batch:
                   Weir's epoch line (input-bound %), the time in the torch
                   DataLoader's next(); Keras' fit() pulls batches inside
                   its compiled step, where no callback sees them ("not
                   seen").

Every contender runs pinned to the same --threads cores; torch's two
DataLoader workers and tf.data's AUTOTUNE share those cores with the
step, as Weir's decoding threads do. One untimed pass over the tree
first puts the files in the page cache for every contender.

`make bench-peers` runs it after bench/peers.py, with the interpreter of
the virtual environment bench/peers-setup.sh creates (torchvision is in
it). The machine is shared and noisy: compare ratios from one run.

usage: bench/peers_png.py [--weir build/bin/weir] [--tree DIR]
                          [--peers keras-tf,torch] [--threads 2]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pngtree import ensure_png_tree  # noqa: E402
from peers import cpu, pinned, thread_env, weir_version  # noqa: E402
from train import DATA, MAXRSS, ROOT, idx  # noqa: E402

import numpy as np  # noqa: E402

KERAS = r"""
import json, resource, sys, time
import numpy as np
import keras
import tensorflow as tf
from keras import layers as L
root = sys.argv[1]
ds = keras.utils.image_dataset_from_directory(
    root, labels="inferred", label_mode="int", color_mode="grayscale",
    image_size=(28, 28), batch_size=128, shuffle=True, seed=0, verbose=False)
ds = ds.map(lambda x, y: (x / 255.0, y), num_parallel_calls=tf.data.AUTOTUNE)
ds = ds.prefetch(tf.data.AUTOTUNE)
model = keras.Sequential([keras.Input((28, 28, 1)),
                          L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
                          L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2),
                          L.Flatten(), L.Dropout(0.5), L.Dense(10)])
model.compile(optimizer=keras.optimizers.Adam(1e-3),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              jit_compile=True)
class Clock(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None):
        secs.append(time.perf_counter() - self.t0)
secs = []
model.fit(ds, epochs=2, verbose=0, callbacks=[Clock()])
# The same images from memory (two epochs: a retrace may fall in the first):
# the step's share of the epoch.
d = np.load(sys.argv[2])
x = d["x_train"][..., None] / np.float32(255)
y = d["y_train"].astype(np.int32)
png = secs[-1]
model.fit(x, y, batch_size=128, epochs=2, shuffle=True, verbose=0, callbacks=[Clock()])
mem = secs[-1]
print("RESULT " + json.dumps(dict(
    epoch=png, wait=None, memory_epoch=mem,
    rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    version=f"keras {keras.__version__} on tensorflow {tf.__version__}")), flush=True)
"""

TORCH = r"""
import json, resource, sys, time
import torch, torchvision
from PIL import Image
from torchvision import datasets, transforms
torch.set_num_threads(int(sys.argv[2]))
torch.manual_seed(0)
def gray(path):
    with open(path, "rb") as f:
        return Image.open(f).convert("L")
ds = datasets.ImageFolder(sys.argv[1], transform=transforms.ToTensor(), loader=gray)
dl = torch.utils.data.DataLoader(ds, batch_size=128, shuffle=True, num_workers=2)
nn = torch.nn
model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
for e in range(2):
    t0 = time.perf_counter(); wait = 0.0
    it = iter(dl)
    while True:
        w0 = time.perf_counter()
        try:
            x, y = next(it)
        except StopIteration:
            break
        wait += time.perf_counter() - w0
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()
    epoch = time.perf_counter() - t0
# The same images from memory, the same step: what the epoch costs without
# decoding.
import numpy as np
d = np.load(sys.argv[3])
xt = torch.from_numpy(d["x_train"][:, None] / np.float32(255))
yt = torch.from_numpy(d["y_train"].astype(np.int64))
t0 = time.perf_counter()
perm = torch.randperm(len(xt))
for i in range(0, len(xt), 128):
    b = perm[i:i + 128]
    opt.zero_grad(set_to_none=True)
    loss_fn(model(xt[b]), yt[b]).backward()
    opt.step()
mem = time.perf_counter() - t0
print("RESULT " + json.dumps(dict(
    epoch=epoch, wait=wait / epoch, memory_epoch=mem,
    rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    version=f"torch {torch.__version__}, torchvision {torchvision.__version__}")), flush=True)
"""


def weir_epoch(weir, work, threads, data=None):
    """The last epoch line of a two-epoch `weir train` of the CNN, and the
    process's peak RSS; from the PNG tree under `work`, or from `data`."""
    r = subprocess.run([sys.executable, "-c", MAXRSS, weir, "train",
                        os.path.join(ROOT, "examples", "fashion_cnn.weir"),
                        "--epochs", "2", "--no-validation", "--threads", str(threads),
                        "-o", os.path.join(work, "w.safetensors")]
                       + (["--data", data] if data else []),
                       cwd=work, capture_output=True, text=True,
                       preexec_fn=pinned(threads))
    if r.returncode != 0:
        return None, (r.stderr.strip().splitlines() or ["failed"])[-1]
    lines = [l for l in r.stdout.splitlines() if l.startswith("epoch ")]
    return lines[-1], int(r.stdout.strip().splitlines()[-1]) / 1024


def run_weir(weir, work, threads, npz):
    last, rss = weir_epoch(weir, work, threads)
    if last is None:
        return {"error": rss}
    mem, _ = weir_epoch(weir, work, threads, npz)
    secs = lambda line: float(re.search(r"  ([0-9.]+) s(?:  |$)", line).group(1))
    return {"epoch": secs(last),
            "wait": float(re.search(r"input-bound ([0-9.]+)%", last).group(1)) / 100,
            "memory_epoch": secs(mem) if mem else None, "rss": rss,
            "version": weir_version()}


def run_peer(script, args, threads, env):
    r = subprocess.run([sys.executable, "-c", script] + args,
                       capture_output=True, text=True, preexec_fn=pinned(threads),
                       env=dict(os.environ, **thread_env(threads), **env))
    for line in r.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": (r.stderr.strip().splitlines() or ["no output"])[-1]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weir", default=os.path.join(ROOT, "build/bin/weir"))
    p.add_argument("--tree", default=os.path.join(tempfile.gettempdir(), "weir-fashion-png"))
    p.add_argument("--peers", default="keras-tf,torch")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json", help="write the results here")
    args = p.parse_args()

    ensure_png_tree(args.weir, args.tree)
    train = os.path.join(args.tree, "train")
    subprocess.run([args.weir, "data", "bench", train, "--epochs", "1"],
                   check=True, capture_output=True)
    model, flags = cpu()
    print(f"# CPU: {model}; {os.cpu_count()} logical CPUs; flags: {flags}")
    print(f"# Fashion-MNIST CNN from {train} (60,000 PNGs), batch 128, "
          f"{args.threads} threads pinned, second epoch of 2 timed")
    with tempfile.TemporaryDirectory() as work:
        os.makedirs(os.path.join(work, "data"))
        os.symlink(os.path.abspath(args.tree), os.path.join(work, "data", "fashion"))
        # The same images as arrays, for every contender's epoch from memory.
        npz = os.path.join(work, "fashion.npz")
        np.savez(npz, x_train=idx(os.path.join(DATA, "train-images-idx3-ubyte.gz")),
                 y_train=idx(os.path.join(DATA, "train-labels-idx1-ubyte.gz")))
        rows = {"weir (images, shuffle, batch, prefetch(auto))":
                run_weir(args.weir, work, args.threads, npz)}
        for peer in args.peers.split(","):
            if peer == "keras-tf":
                rows["keras-tf (image_dataset_from_directory, prefetch(AUTOTUNE))"] = run_peer(
                    KERAS, [train, npz], args.threads, {"KERAS_BACKEND": "tensorflow"})
            elif peer == "torch":
                rows["torch (ImageFolder, DataLoader, 2 workers)"] = run_peer(
                    TORCH, [train, str(args.threads), npz], args.threads, {})
            else:
                sys.exit(f"peers_png.py: unknown peer '{peer}' (keras-tf, torch)")
    weir = next(iter(rows.values()))
    print("| | s/epoch from PNGs | vs weir | s/epoch from memory | input's cost "
          "| waited on input | peak RSS | version |")
    print("|---|---|---|---|---|---|---|---|")
    for name, v in rows.items():
        if "error" in v:
            print(f"| {name} | failed: {v['error'][:80]} | | | | | | |")
            continue
        ratio = f"{v['epoch'] / weir['epoch']:.2f}x" if "epoch" in weir else ""
        mem = v.get("memory_epoch")
        cost = f"{100 * (1 - mem / v['epoch']):.0f}%" if mem else ""
        wait = f"{100 * v['wait']:.0f}%" if v.get("wait") is not None else "not seen"
        print(f"| {name} | {v['epoch']:.1f} | {ratio} | {mem or 0:.1f} | {cost} | {wait} "
              f"| {v['rss']:.0f} MiB | {v['version']} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": model, "flags": flags, "threads": args.threads,
                       "results": rows}, f, indent=1)


if __name__ == "__main__":
    main()
