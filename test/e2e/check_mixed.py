#!/usr/bin/env python3
"""Mixed precision against numpy with the same rounding emulated.

Each case is a small .weir model with f32 weights. `weir gradients`
(precision mixed_bfloat16 or mixed_float16 in the train block) returns the
loss and the gradients of one batch; numpy computes them with bf16 (or
f16) rounding where Keras' mixed policy
puts it (inputs, weights and the outputs of products and activations
rounded to bf16, products accumulated in f32, softmax and the loss in f32,
weight gradients left in f32) and, separately, in plain f32. A case passes
when Weir's mixed result is close to the emulation and clearly closer to
it than to the f32 result, so the test fails if the casts are missing:

    rel(mixed, emulated) < 5e-3  and  rel(mixed, emulated) < rel(mixed, f32) / 4

Under mixed_float16 the emulation multiplies the loss gradient by the loss
scale before rounding it and divides the weight gradients by it. The
`underflow_*` cases have a tiny output kernel, so the hidden layer's f16
gradient flushes to zero without loss scaling: with a fixed scale of 1
Weir's h.kernel gradient must be far from f32 (and match the emulation,
which flushes too), with the default dynamic scale (2^15) close to f32.

usage: check_mixed.py --weir path/to/weir --workdir DIR [--only NAME]
"""
import os
import subprocess
import sys

import numpy as np

import e2e_util
from e2e_util import read_safetensors, run_cases, write_safetensors

RNG = np.random.default_rng(11)
B = 16


def bf16(a):
    """Rounds float32 values to the nearest bfloat16 (ties to even)."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    u = a.view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return u.astype(np.uint32).view(np.float32)


def f16(a):
    """Rounds float32 values to the nearest float16 (IEEE, subnormals)."""
    return np.asarray(a, np.float32).astype(np.float16).astype(np.float32)


def softmax_ce_grad(logits, y):
    """Mean sparse categorical crossentropy from logits and its gradient."""
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(len(y)), y]).mean()
    d = p.copy()
    d[np.arange(len(y)), y] -= 1
    return loss, (d / len(y)).astype(np.float32)


def mlp(params, x, y, rnd, scale=1.0):
    """dense(16, relu) -> dense(5) logits; `rnd` rounds where bf16 would;
    the loss gradient is multiplied by `scale` (loss scaling)."""
    k1, b1 = params["h.kernel"], params["h.bias"]
    k2, b2 = params["out.kernel"], params["out.bias"]
    xl, k1l, b1l, k2l, b2l = (rnd(v) for v in (x, k1, b1, k2, b2))
    h = rnd(np.maximum(xl @ k1l + b1l, 0))
    logits = rnd(h @ k2l + b2l)
    loss, dl = softmax_ce_grad(logits.astype(np.float64), y)
    dll = rnd(dl * np.float32(scale))
    g = {"out.kernel": h.T @ dll, "out.bias": dll.sum(axis=0)}
    dh = rnd(dll @ k2l.T)
    dh = rnd(np.where(h > 0, dh, 0))
    g["h.kernel"] = xl.T @ dh
    g["h.bias"] = dh.astype(np.float32).sum(axis=0)
    return loss, {k: v / np.float32(scale) for k, v in g.items()}


def conv_valid(x, k):
    """NHWC x HWCF valid convolution, stride 1, accumulated in f32."""
    n, hh, ww, c = x.shape
    kh, kw, _, f = k.shape
    oh, ow = hh - kh + 1, ww - kw + 1
    out = np.zeros((n, oh, ow, f), np.float32)
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("nhwc,cf->nhwf", x[:, i:i + oh, j:j + ow, :],
                             k[i, j]).astype(np.float32)
    return out


def cnn(params, x, y, rnd, scale=1.0):
    """conv2d(4, 3, relu) -> max_pool2d(2) -> flatten -> dense(3) logits."""
    kc, bc = rnd(params["c.kernel"]), rnd(params["c.bias"])
    kd, bd = rnd(params["d.kernel"]), rnd(params["d.bias"])
    xl = rnd(x)
    a = rnd(np.maximum(conv_valid(xl, kc) + bc, 0))        # [n, 4, 4, 4]
    n, oh, ow, f = a.shape
    win = a.reshape(n, oh // 2, 2, ow // 2, 2, f)
    p = win.max(axis=(2, 4))                                # [n, 2, 2, 4]
    flat = p.reshape(n, -1)
    logits = rnd(flat @ kd + bd)
    loss, dl = softmax_ce_grad(logits.astype(np.float64), y)
    dll = rnd(dl * np.float32(scale))
    g = {"d.kernel": flat.T @ dll, "d.bias": dll.sum(axis=0)}
    dp = rnd(dll @ kd.T).reshape(p.shape)
    # The max routes each window's gradient to its (first) largest element.
    da = np.zeros_like(a)
    first = np.ones(p.shape, bool)
    for u in range(2):
        for v in range(2):
            hit = (win[:, :, u, :, v, :] == p) & first
            da[:, u::2, v::2, :] = np.where(hit, dp, 0)
            first &= ~hit
    dz = rnd(np.where(a > 0, da, 0))
    kh = params["c.kernel"].shape[0]
    dk = np.zeros(params["c.kernel"].shape, np.float32)
    for i in range(kh):
        for j in range(kh):
            dk[i, j] = np.einsum("nhwc,nhwf->cf", xl[:, i:i + oh, j:j + ow, :], dz)
    g["c.kernel"] = rnd(dk)
    g["c.bias"] = dz.sum(axis=(0, 1, 2))
    return loss, {k: v / np.float32(scale) for k, v in g.items()}


MLP = """
model m(x: f32[12]) {
  h = dense(x, 16, activation: relu, name: "h")
  return dense(h, 5, name: "out")
}
train m {
  loss: sparse_categorical_crossentropy(from_logits: true)
  optimizer: sgd
  %s
}
"""
MLP_SHAPES = {"h.kernel": (12, 16), "h.bias": (16,), "out.kernel": (16, 5),
              "out.bias": (5,)}
CNN = """
model m(x: f32[6, 6, 2]) {
  h = conv2d(x, 4, 3, activation: relu, name: "c")
  h = flatten(max_pool2d(h, 2))
  return dense(h, 3, name: "d")
}
train m {
  loss: sparse_categorical_crossentropy(from_logits: true)
  optimizer: sgd
  %s
}
"""
CNN_SHAPES = {"c.kernel": (3, 3, 2, 4), "c.bias": (4,), "d.kernel": (16, 3),
              "d.bias": (3,)}
BF16 = "precision: mixed_bfloat16"
F16 = "precision: mixed_float16"
# A tiny output kernel: dh = dl @ out.kernel^T is ~1e-8, below f16's
# smallest subnormal (6e-8) unless the loss gradient is scaled.
TINY = {"out.kernel": 2e-7}

# name: (model, source, parameter shapes, input shape, classes, rounding,
#        loss scale, parameter stddevs, expectation)
CASES = {
    "mlp": (mlp, MLP % BF16, MLP_SHAPES, (12,), 5, bf16, 1.0, {}, "close"),
    "cnn": (cnn, CNN % BF16, CNN_SHAPES, (6, 6, 2), 3, bf16, 1.0, {}, "close"),
    "mlp_f16": (mlp, MLP % F16, MLP_SHAPES, (12,), 5, f16, 32768.0, {},
                "close"),
    "cnn_f16": (cnn, CNN % F16, CNN_SHAPES, (6, 6, 2), 3, f16, 32768.0, {},
                "close"),
    "underflow_fixed": (mlp, MLP % (F16 + "\n  loss_scale: 1"), MLP_SHAPES,
                        (12,), 5, f16, 1.0, TINY, "flushed"),
    "underflow_dynamic": (mlp, MLP % F16, MLP_SHAPES, (12,), 5, f16, 32768.0,
                          TINY, "close"),
}


def rel(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-12))


def run_case(name, weir, workdir):
    fn, source, shapes, in_shape, classes, rnd, scale, stddev, expect = \
        CASES[name]
    d = os.path.join(workdir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "model.weir"), "w") as f:
        f.write(source)
    params = {k: (RNG.standard_normal(s) * stddev.get(k, 0.5)).astype(np.float32)
              for k, s in shapes.items()}
    x = RNG.standard_normal((B,) + in_shape).astype(np.float32)
    y = RNG.integers(0, classes, B).astype(np.int32)
    np.savez(os.path.join(d, "data.npz"), x_train=x, y_train=y, x_test=x, y_test=y)
    write_safetensors(os.path.join(d, "w.safetensors"), params, dtype=np.float32)
    out = os.path.join(d, "grads.safetensors")
    cmd = [weir, "gradients", os.path.join(d, "model.weir"), "--weights",
           os.path.join(d, "w.safetensors"), "--data", os.path.join(d, "data.npz"),
           "--split", "train", "--threads", "1", "--device",
           e2e_util.OPTIONS.device, "-o", out]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return False, f"weir gradients failed: {r.stderr.strip()}"
    got = read_safetensors(out)
    loss_emu, g_emu = fn(params, x, y, rnd, scale)
    loss_f32, g_f32 = fn(params, x, y, lambda v: np.asarray(v, np.float32))
    if abs(got["loss"] - loss_emu) > 5e-3 * max(1, abs(loss_emu)):
        return False, f"loss {float(got['loss'])} != emulated {loss_emu}"
    if expect == "flushed":
        e_f32 = rel(got["h.kernel"], g_f32["h.kernel"])
        e_emu = float(np.abs(got["h.kernel"] - g_emu["h.kernel"]).max())
        if e_f32 < 0.5 or e_emu > 1e-3 * float(np.abs(g_f32["h.kernel"]).max()):
            return False, (f"h.kernel: rel err {e_f32:.2e} to f32 (should "
                           f"have underflowed), {e_emu:.2e} to the emulation")
        return True, f"h.kernel underflows: rel err {e_f32:.2f} to f32"
    worst = 0.0
    for pname in shapes:
        e_emu = rel(got[pname], g_emu[pname])
        e_f32 = rel(got[pname], g_f32[pname])
        worst = max(worst, e_emu)
        if e_emu >= 5e-3 or e_emu >= e_f32 / 4:
            return False, (f"{pname}: rel err {e_emu:.2e} to the "
                           f"{rnd.__name__} emulation, {e_f32:.2e} to f32")
    return True, f"max rel err {worst:.1e} (f32 differs by more)"


def main():
    return run_cases(CASES, run_case)


if __name__ == "__main__":
    sys.exit(main())
