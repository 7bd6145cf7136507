#!/usr/bin/env python3
"""Whole-model gradients against PyTorch, in f32.

The examples' MLP and CNN (the CNN without its dropout, whose mask PyTorch
cannot reproduce) get the same weights (`weir init`) and the same batch of
64 images; `weir gradients` and torch.autograd each return the loss and the
gradient of every parameter. PyTorch's layouts differ (Linear weights are
[out, in], conv weights OIHW, tensors NCHW), so the torch model converts
weir's weights and flattens in NHWC order, as Weir does. Criterion, per
parameter: max|g_weir - g_torch| / max|g_torch| < 1e-4.

With `--device=cuda-emulator` the gradients come from the CUDA target's
program (cuBLAS/cuDNN calls, generated kernels) run on the CPU, which checks
what the CUDA compiler makes without a GPU; `--device=cuda` checks a GPU.

usage: check_torch_grads.py --weir path/to/weir --workdir DIR [--device D]
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import torch

from e2e_util import read_safetensors, write_safetensors

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MLP = """
model mlp(x: u8[28, 28, 1]) {
  h = rescale(x, 1/255)
  h = flatten(h)
  h = dense(h, 64, activation: relu)
  return dense(h, 10, activation: softmax)
}
train mlp { loss: sparse_categorical_crossentropy; optimizer: adam() }
"""

CNN = """
model cnn(x: u8[28, 28, 1]) {
  return sequential(x) {
    rescale(1/255)
    conv2d(32, 3, activation: relu)
    max_pool2d(2)
    conv2d(64, 3, activation: relu)
    max_pool2d(2)
    flatten()
    dense(10, activation: softmax)
  }
}
train cnn { loss: sparse_categorical_crossentropy; optimizer: adam() }
"""


def torch_mlp(w, x):
    h = x.reshape(len(x), -1) / 255.0
    h = torch.relu(h @ w["dense.kernel"] + w["dense.bias"])
    return h @ w["dense_1.kernel"] + w["dense_1.bias"]


def torch_cnn(w, x):
    F = torch.nn.functional
    h = (x / 255.0).permute(0, 3, 1, 2)  # NHWC -> NCHW

    def conv(h, name):
        k = w[name + ".kernel"].permute(3, 2, 0, 1)  # HWIO -> OIHW
        return torch.relu(F.conv2d(h, k, w[name + ".bias"]))

    h = F.max_pool2d(conv(h, "conv2d"), 2)
    h = F.max_pool2d(conv(h, "conv2d_1"), 2)
    h = h.permute(0, 2, 3, 1).reshape(len(x), -1)  # flatten as NHWC
    return h @ w["dense.kernel"] + w["dense.bias"]


def check(name, source, forward, weir, workdir, x, y, device):
    d = os.path.join(workdir, name)
    os.makedirs(d, exist_ok=True)
    model = os.path.join(d, name + ".weir")
    with open(model, "w") as f:
        f.write(source)
    np.savez(os.path.join(d, "batch.npz"), x_train=x, y_train=y, x_test=x, y_test=y)
    weights = os.path.join(d, "w.safetensors")
    subprocess.run([weir, "init", model, "-o", weights, "--seed", "11"], check=True)
    # Initializers leave biases at zero, which would hide a bias that is
    # dropped or added twice: give them values.
    init = read_safetensors(weights)
    rng = np.random.default_rng(5)
    for k in init:
        if k.endswith(".bias"):
            init[k] = rng.normal(0, 0.1, init[k].shape).astype(np.float32)
    write_safetensors(weights, init, np.float32)
    out = os.path.join(d, "grads.safetensors")
    subprocess.run([weir, "gradients", model, "--weights", weights, "--data",
                    os.path.join(d, "batch.npz"), "--split", "train", "--threads", "1",
                    "--device", device, "-o", out], check=True)
    got = read_safetensors(out)
    w = {k: torch.tensor(v.copy(), requires_grad=True)
         for k, v in read_safetensors(weights).items()}
    logits = forward(w, torch.tensor(x.astype(np.float32)))
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y.astype(np.int64)))
    loss.backward()
    worst = abs(float(got["loss"]) - loss.item()) / abs(loss.item())
    ok = worst < 1e-5
    for k, v in w.items():
        ref = v.grad.numpy()
        err = np.abs(got[k] - ref).max() / max(np.abs(ref).max(), 1e-12)
        worst = max(worst, err)
        ok &= err < 1e-4
    print(f"{'PASS' if ok else 'FAIL'} {name}: loss {float(got['loss']):.6f} "
          f"(torch {loss.item():.6f}), max rel err {worst:.1e}")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weir", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(3)
    # Fashion-MNIST-like statistics are not needed: any images will do.
    x = rng.integers(0, 256, (64, 28, 28, 1)).astype(np.uint8)
    y = rng.integers(0, 10, 64).astype(np.uint8)
    ok = check("mlp", MLP, torch_mlp, args.weir, args.workdir, x, y, args.device)
    ok &= check("cnn", CNN, torch_cnn, args.weir, args.workdir, x, y, args.device)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
