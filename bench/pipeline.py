#!/usr/bin/env python3
"""Input-pipeline throughput: Weir's engine against libpng and PyTorch.

Over the Fashion-MNIST PNG tree (60,000 28x28 grayscale training PNGs,
written once with `weir data import-idx`), in one run:

  weir      `weir data bench DIR/train --batch-size 128 --threads N`: the
            engine (list, read, decode into batch slots, batch, prefetch),
            images/s per epoch;
  libpng    `weir data bench --decode-only`: one thread reading and decoding
            every file with the same libpng, through runtime/data's
            readPngFile and through the engine's decoder;
  pytorch   torchvision ImageFolder + DataLoader(batch 128, num_workers N,
            ToTensor), images loaded as grayscale ("L"), shuffled.

Targets (the issue): weir >= 5x pytorch, and weir >= 75% of the one-thread
libpng rate times N. The files are in the page cache for every contender
(the tree was just read or written). The machine is shared and noisy:
compare ratios from one run, and repeat.

usage: bench/pipeline.py [--weir build/bin/weir] [--tree DIR] [--threads 2]
                         [--epochs 2] [--repeat 1]
Needs torchvision (`apt-get install python3-torchvision`) for the PyTorch
column; it is skipped when no Python here has it.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

from pngtree import ensure_png_tree, torchvision_python

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TORCH = r"""
import sys, time, torch
from PIL import Image
from torchvision import datasets, transforms
def gray(path):
    with open(path, "rb") as f:
        return Image.open(f).convert("L")
root, threads, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ds = datasets.ImageFolder(root, transform=transforms.ToTensor(), loader=gray)
dl = torch.utils.data.DataLoader(ds, batch_size=128, shuffle=True, num_workers=threads)
for e in range(epochs):
    t0 = time.perf_counter(); n = 0
    for x, y in dl:
        n += x.shape[0]
    print(n / (time.perf_counter() - t0), flush=True)
"""




def weir_bench(cmd, args):
    """Runs `weir data bench` (or the standalone weir-pipeline-bench)."""
    r = subprocess.run(cmd + args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd + args)}: {r.stderr.strip()}")
    return r.stdout


def bench_command(weir):
    """`weir data bench` if this weir has it, else weir-pipeline-bench."""
    probe = subprocess.run([weir, "data", "bench"], capture_output=True, text=True)
    if "usage: weir data bench" in probe.stderr:
        return [weir, "data", "bench"]
    for d in ("build-pipeline", "build"):
        alone = os.path.join(ROOT, d, "bin", "weir-pipeline-bench")
        if os.path.exists(alone):
            return [alone]
    sys.exit(f"{weir} has no `data bench`, and no weir-pipeline-bench was built")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weir", default=os.path.join(ROOT, "build/bin/weir"))
    p.add_argument("--tree", default=os.path.join(tempfile.gettempdir(), "weir-fashion-png"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--repeat", type=int, default=1)
    args = p.parse_args()

    ensure_png_tree(args.weir, args.tree)
    train = os.path.join(args.tree, "train")
    cmd = bench_command(args.weir)
    py = torchvision_python()
    print(f"# {train}, batch 128, {args.threads} threads, {args.epochs} epochs; "
          f"weir: {' '.join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd)}")

    for r in range(args.repeat):
        out = weir_bench(cmd, [train, "--batch-size", "128", "--threads", str(args.threads),
                               "--epochs", str(args.epochs), "--shuffle", "60000"])
        weir = [float(m) for m in re.findall(r"([0-9.]+) images/s \(waited", out)]
        tuner = [l for l in out.splitlines() if l.startswith("pipeline:")]
        out = weir_bench(cmd, [train, "--decode-only"])
        m = re.search(r"readPngFile ([0-9.]+) images/s, engine decoder ([0-9.]+)", out)
        libpng, decoder = float(m.group(1)), float(m.group(2))
        torch = []
        if py:
            res = subprocess.run([py, "-c", TORCH, train, str(args.threads), str(args.epochs)],
                                 check=True, capture_output=True, text=True).stdout
            torch = [float(x) for x in res.split()]

        w = statistics.median(weir)
        single = max(libpng, decoder)
        print(f"\nrun {r + 1}" + (f"  ({tuner[0]})" if tuner else ""))
        print(f"{'':34} {'images/s':>10}  per epoch")
        print(f"{'weir data bench, ' + str(args.threads) + ' threads':34} {w:10.0f}  "
              + " ".join(f"{x:.0f}" for x in weir))
        print(f"{'libpng 1 thread (readPngFile)':34} {libpng:10.0f}")
        print(f"{'libpng 1 thread (engine decoder)':34} {decoder:10.0f}")
        if torch:
            t = statistics.median(torch)
            print(f"{'pytorch ImageFolder+DataLoader':34} {t:10.0f}  "
                  + " ".join(f"{x:.0f}" for x in torch))
            print(f"weir / pytorch: {w / t:.1f}x (target >= 5x)")
        else:
            print("pytorch: skipped (no Python here has torchvision)")
        print(f"weir / ({args.threads} x libpng 1 thread): "
              f"{w / (args.threads * single):.0%} (target >= 75%)", flush=True)


if __name__ == "__main__":
    main()
