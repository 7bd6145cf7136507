#!/usr/bin/env python3
"""Mixed precision against float32, Weir against itself, in the same run.

Trains the examples' MLP and CNN on in-memory Fashion-MNIST (the first
--examples training images), batch 128, 2 threads, `weir train --epochs 2
--precision P` for each precision, and reports the second epoch's
samples/s (compile time excluded) and its ratio to float32. It prints the
CPU model, the vector extensions that matter, and which instructions the
16-bit products use, as `weir train --verbose` reports them: either
widened to f32 once per operand (f32 FMAs), or AVX512_BF16 pair dot
products (vdpbf16ps), which weir-register-block uses on hosts where they
outrun f32 FMAs (AMD Zen 4 and later; see bench/dot_throughput.c). Where
it uses them, a second mixed_bfloat16 row runs with WEIR_BF16_DOT=0, the
widened code, for comparison.

With --torch, PyTorch's `torch.autocast("cpu", dtype=torch.bfloat16)`
(channels_last for the CNN) runs the same models in the same run, when
torch is importable by the interpreter given.

usage: bench/mixed.py [--weir build/bin/weir] [--examples 60000]
                      [--precisions float32,mixed_bfloat16,mixed_float16]
                      [--models mlp,cnn] [--repeat 1] [--torch PYTHON]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import DATA, MAXRSS, ROOT, idx  # noqa: E402

TORCH = r"""
import sys, time, resource, numpy as np, torch
torch.set_num_threads(int(sys.argv[3]))
nn = torch.nn
d = np.load(sys.argv[1])
x = torch.from_numpy(d["x_train"]).reshape(-1, 1, 28, 28)
y = torch.from_numpy(d["y_train"].astype(np.int64))
mixed = sys.argv[4] == "bf16"
if sys.argv[2] == "mlp":
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
    fmt = torch.contiguous_format
else:
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
    model = model.to(memory_format=torch.channels_last)
    fmt = torch.channels_last
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
def step(xb, yb):
    opt.zero_grad()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=mixed):
        loss = loss_fn(model((xb.float() / 255.0).contiguous(memory_format=fmt)), yb)
    loss.backward()
    opt.step()
for i in range(0, 10 * 128, 128):
    step(x[i:i+128], y[i:i+128])
t0 = time.perf_counter()
perm = torch.randperm(len(x))
for i in range(0, len(x), 128):
    b = perm[i:i + 128]
    step(x[b], y[b])
print(len(x) / (time.perf_counter() - t0), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def cpu():
    model, flags = "unknown", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and model == "unknown":
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    return model, flags


def run_weir(weir, npz, model, precision, threads, workdir, env=None):
    t0 = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", MAXRSS, weir, "train",
                          os.path.join(ROOT, "examples", f"fashion_{model}.weir"),
                          "--data", npz, "--epochs", "2", "--no-validation",
                          "--precision", precision, "--threads", str(threads),
                          "--verbose", "-o", os.path.join(workdir, "w.safetensors")],
                         check=True, capture_output=True, text=True,
                         env=dict(os.environ, **(env or {})))
    out = run.stdout
    wall = time.perf_counter() - t0
    host = re.search(r"on the CPU \((.*)\)", run.stderr)
    run_weir.host = host.group(1) if host else "unknown"
    rss = int(out.strip().splitlines()[-1])
    m = re.findall(r"([0-9.]+)([kM]?) samples/s", out)[-1]
    rate = float(m[0]) * {"": 1, "k": 1e3, "M": 1e6}[m[1]]
    return rate, wall, rss / 1024


def run_torch(python, npz, model, mode, threads):
    out = subprocess.run([python, "-c", TORCH, npz, model, str(threads), mode],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1]) / 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weir", default=os.path.join(ROOT, "build/bin/weir"))
    p.add_argument("--examples", type=int, default=60000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--models", default="mlp,cnn")
    p.add_argument("--precisions", default="float32,mixed_bfloat16,mixed_float16")
    p.add_argument("--torch", metavar="PYTHON",
                   help="an interpreter with torch, for autocast bf16 rows")
    args = p.parse_args()
    model_name, flags = cpu()
    wanted = ["avx2", "fma", "f16c", "avx512f", "avx512vl", "avx512_bf16",
              "avx512_fp16", "amx_bf16", "amx_tile"]
    print(f"# CPU: {model_name}; {os.cpu_count()} logical CPUs; "
          f"flags: {' '.join(f for f in wanted if f in flags)}")
    print(f"# {args.examples} examples, batch 128, Adam, {args.threads} threads, "
          "second epoch of 2")
    with tempfile.TemporaryDirectory() as tmp:
        npz = os.path.join(tmp, "fashion.npz")
        x = idx(os.path.join(DATA, "train-images-idx3-ubyte.gz"))[:args.examples]
        y = idx(os.path.join(DATA, "train-labels-idx1-ubyte.gz"))[:args.examples]
        np.savez(npz, x_train=x, y_train=y, x_test=x[:256], y_test=y[:256])
        for model in args.models.split(","):
            for r in range(args.repeat):
                base = None
                rows = [(p, None, p) for p in args.precisions.split(",")]
                i = 0
                while i < len(rows):
                    precision, env, label = rows[i]
                    i += 1
                    rate, wall, rss = run_weir(args.weir, npz, model, precision,
                                               args.threads, tmp, env)
                    if not getattr(main, "printed", False):
                        print(f"# host code: {run_weir.host}")
                        main.printed = True
                    if (precision == "mixed_bfloat16" and env is None
                            and "vdpbf16ps pair" in run_weir.host):
                        rows.insert(i, (precision, {"WEIR_BF16_DOT": "0"},
                                        "mixed_bfloat16 widened (WEIR_BF16_DOT=0)"))
                    base = base or (rate if precision == "float32" else None)
                    ratio = f"  {rate / base:.2f}x float32" if base else ""
                    print(f"{model} weir {label}: {rate / 1e3:.2f}k samples/s "
                          f"(process {wall:.1f} s, peak RSS {rss:.0f} MiB){ratio}",
                          flush=True)
                if args.torch:
                    for mode in ("f32", "bf16"):
                        rate, rss = run_torch(args.torch, npz, model, mode, args.threads)
                        print(f"{model} torch {'autocast bf16' if mode == 'bf16' else 'float32'}: "
                              f"{rate / 1e3:.2f}k samples/s (peak RSS {rss:.0f} MiB)",
                              flush=True)


if __name__ == "__main__":
    main()
