#!/usr/bin/env python3
"""Inference throughput, Weir against PyTorch, in the same run.

For each model (the MLP 784-64-10 and the small CNN of examples/), batch 128,
2 threads: runs `weir bench` (compile time and samples/s; weights from
`weir init`, random inputs) and the same architecture in PyTorch with
torch.set_num_threads(2) under torch.inference_mode(), and prints the ratio.
The machine is shared and noisy: compare ratios from one run, and repeat.

usage: bench/inference.py [--weir build/bin/weir] [--seconds 3] [--repeat 3]
Needs PyTorch (`apt-get install python3-torch libopenblas0-openmp`).
"""
import argparse
import json
import os
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def torch_models(torch):
    nn = torch.nn
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(),
                        nn.Linear(64, 10), nn.Softmax(dim=1))
    cnn = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(1600, 10), nn.Softmax(dim=1))
    return {"mlp": mlp, "cnn": cnn}


def torch_throughput(torch, model, batch, seconds):
    x = torch.randint(0, 256, (batch, 1, 28, 28), dtype=torch.uint8)
    with torch.inference_mode():
        def step():
            return model(x.float() / 255.0)
        for _ in range(5):
            step()
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            step()
            n += 1
        return batch * n / (time.perf_counter() - t0)


def weir_bench(weir, model, batch, threads, seconds):
    out = subprocess.run([weir, "bench", os.path.join(ROOT, "examples", model + ".mlir"),
                          "--batch", str(batch), "--threads", str(threads),
                          "--seconds", str(seconds)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weir", default=os.path.join(ROOT, "build/bin/weir"))
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    import torch
    torch.set_num_threads(a.threads)
    models = torch_models(torch)
    print(f"torch {torch.__version__}, batch {a.batch}, {a.threads} threads")
    print("model  weir samples/s  torch samples/s  ratio  weir compile s")
    for name, model in models.items():
        ratios, w_runs, t_runs, compile_s = [], [], [], []
        for _ in range(a.repeat):
            w = weir_bench(a.weir, name, a.batch, a.threads, a.seconds)
            t = torch_throughput(torch, model, a.batch, a.seconds)
            w_runs.append(w["samples_per_s"])
            t_runs.append(t)
            compile_s.append(w["compile_s"])
            ratios.append(w["samples_per_s"] / t)
        print(f"{name:5}  {statistics.median(w_runs):14.0f}  {statistics.median(t_runs):15.0f}"
              f"  {statistics.median(ratios):5.2f}  {statistics.median(compile_s):14.2f}")


if __name__ == "__main__":
    main()
