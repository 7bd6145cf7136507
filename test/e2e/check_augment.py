#!/usr/bin/env python3
"""Checks the augmentation ops against numpy, in f64.

Each case is the model  x -> augmentation -> flatten -> dense(B, no bias)
with a mean-squared-error loss against one-hot targets (example b's target
is e_b) and a zero kernel. `weir gradients` runs the training form, so the
kernel's gradient is  -2 / (B * B) * augmented(x)  column by column: it
exposes every augmented image exactly. numpy recomputes the augmentation
from Keras 3's formulas, drawing the random parameters with its own copy of
the counter-based hash of docs/spec.md ("Augmentation"), and the two must
agree to 1e-9 (max abs error, images in [0, 1]) with 1, 2 and 3 threads,
which split the batch differently over replicas. `weir run` (inference)
must give dense(flatten(x)): the identity, or for random_crop Keras'
centered crop and resize.

usage: check_augment.py --weir path/to/weir --workdir DIR [--only NAME]
"""
import math
import os
import subprocess
import sys

import numpy as np

from e2e_util import read_safetensors, run_cases, write_safetensors

RNG = np.random.default_rng(11)
B = 5
M32, M64 = 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF


# --- the hash (docs/spec.md, "Augmentation") --------------------------------

def uniform(key, salt, example, d):
    """u in [0, 1) for draw d of the example with global index `example`."""
    k = (key ^ (salt * 0xD1B54A32D192ED03)) & M64
    k32 = (k ^ (k >> 32)) & M32
    counter = (2 * example + d) & M32
    h = k32 ^ ((counter * 0x9E3779B9) & M32)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    h ^= h >> 16
    return (h >> 8) * 2.0 ** -24


def between(u, lo, hi):
    return lo + u * (hi - lo)


# --- Keras 3 image transforms, written from its source ----------------------

def fix(i, size, mode):
    """Integer indices mapped into [0, size) by the fill mode, and whether
    they were inside (constant mode)."""
    inside = (i >= 0) & (i < size)
    if mode == "reflect":      # (d c b a | a b c d | d c b a)
        m = np.mod(i, 2 * size)
        return np.where(m >= size, 2 * size - 1 - m, m), None
    if mode == "wrap":
        return np.mod(i, size), None
    clamped = np.clip(i, 0, size - 1)
    return clamped, (inside if mode == "constant" else None)


def sample(img, ys, xs, mode, interp, fill):
    """img [H, W, C] at real coordinates ys, xs [H', W'] -> [H', W', C]."""
    h, w, _ = img.shape

    def read(yi, xi):
        y, vy = fix(yi, h, mode)
        x, vx = fix(xi, w, mode)
        v = img[y, x]
        if vy is not None:
            v = np.where((vy & vx)[..., None], v, fill)
        return v

    if interp == "nearest":
        rnd = lambda c: np.where(c >= 0, np.floor(c + 0.5), np.ceil(c - 0.5))
        return read(rnd(ys).astype(np.int64), rnd(xs).astype(np.int64))
    y0f, x0f = np.floor(ys), np.floor(xs)
    fy, fx = (ys - y0f)[..., None], (xs - x0f)[..., None]
    gy, gx = 1.0 - fy, 1.0 - fx
    y0, x0 = y0f.astype(np.int64), x0f.astype(np.int64)
    top = gx * read(y0, x0) + fx * read(y0, x0 + 1)
    bottom = gx * read(y0 + 1, x0) + fx * read(y0 + 1, x0 + 1)
    return gy * top + fy * bottom


def affine(img, a, mode, interp, fill):
    """Keras' affine_transform: output (x, y) reads input
    (a0 x + a1 y + a2, b0 x + b1 y + b2)."""
    h, w, _ = img.shape
    y, x = np.meshgrid(np.arange(h, dtype=np.float64),
                       np.arange(w, dtype=np.float64), indexing="ij")
    xs = a[0] * x + a[1] * y + a[2]
    ys = a[3] * x + a[4] * y + a[5]
    return sample(img, ys, xs, mode, interp, fill)


def random_flip(x, key, salt, mode="horizontal_and_vertical", **_):
    out = x.copy()
    for n in range(len(x)):
        if uniform(key, salt, n, 0) <= 0.5:   # Keras: uniform <= 0.5
            if mode != "vertical":
                out[n] = out[n][:, ::-1]
            if mode != "horizontal":
                out[n] = out[n][::-1]
    return out


def random_rotation(x, key, salt, factor, fill_mode="reflect",
                    interpolation="bilinear", fill_value=0.0):
    _, h, w, _ = x.shape
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    out = np.empty_like(x)
    for n in range(len(x)):
        angle = between(uniform(key, salt, n, 0), *factor) * (2 * math.pi)
        c, s = math.cos(angle), math.sin(angle)
        a = [c, -s, cx - cx * c + cy * s, s, c, cy - cx * s - cy * c]
        out[n] = affine(x[n], a, fill_mode, interpolation, fill_value)
    return out


def random_zoom(x, key, salt, height_factor, width_factor=None,
                fill_mode="reflect", interpolation="bilinear", fill_value=0.0):
    _, h, w, _ = x.shape
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    out = np.empty_like(x)
    for n in range(len(x)):
        zy = between(uniform(key, salt, n, 0), 1 + height_factor[0], 1 + height_factor[1])
        zx = (between(uniform(key, salt, n, 1), 1 + width_factor[0], 1 + width_factor[1])
              if width_factor else zy)
        a = [zx, 0.0, cx * (1.0 - zx), 0.0, zy, cy * (1.0 - zy)]
        out[n] = affine(x[n], a, fill_mode, interpolation, fill_value)
    return out


def random_translation(x, key, salt, height_factor, width_factor,
                       fill_mode="reflect", interpolation="bilinear",
                       fill_value=0.0):
    _, h, w, _ = x.shape
    out = np.empty_like(x)
    for n in range(len(x)):
        dy = between(uniform(key, salt, n, 0), *height_factor) * h
        dx = between(uniform(key, salt, n, 1), *width_factor) * w
        a = [1.0, 0.0, -dx, 0.0, 1.0, -dy]
        out[n] = affine(x[n], a, fill_mode, interpolation, fill_value)
    return out


def center_crop_resize(x, th, tw):
    """Keras RandomCrop at inference: the largest centered window of the
    target aspect ratio, resized (bilinear, half-pixel centers)."""
    _, h, w, _ = x.shape
    ch = max(min(h, int(float(w * th) / tw)), 1)
    cw = max(min(w, int(float(h * tw) / th)), 1)
    top, left = int(float(h - ch) / 2), int(float(w - cw) / 2)
    win = x[:, top:top + ch, left:left + cw]
    if (ch, cw) == (th, tw):
        return win

    def axis(crop, target):
        s = np.clip((np.arange(target) + 0.5) * (crop / target) - 0.5, 0, crop - 1)
        i0 = np.floor(s).astype(np.int64)
        return i0, np.minimum(i0 + 1, crop - 1), s - i0

    y0, y1, fy = axis(ch, th)
    x0, x1, fx = axis(cw, tw)
    fy, fx = fy[None, :, None, None], fx[None, None, :, None]
    lerp = lambda a, b, t: a + t * (b - a)
    rows0, rows1 = win[:, y0], win[:, y1]
    return lerp(lerp(rows0[:, :, x0], rows0[:, :, x1], fx),
                lerp(rows1[:, :, x0], rows1[:, :, x1], fx), fy)


def random_crop(x, key, salt, height, width):
    _, h, w, _ = x.shape
    if not (h > height and w > width):
        return center_crop_resize(x, height, width)
    out = np.empty((len(x), height, width, x.shape[3]))
    for n in range(len(x)):
        top = min(int(uniform(key, salt, n, 0) * (h - height + 1)), h - height)
        left = min(int(uniform(key, salt, n, 1) * (w - width + 1)), w - width)
        out[n] = x[n, top:top + height, left:left + width]
    return out


def random_contrast(x, key, salt, factor, value_range=(0.0, 255.0)):
    out = np.empty_like(x)
    for n in range(len(x)):
        f = between(uniform(key, salt, n, 0), 1 - factor[0], 1 + factor[1])
        m = x[n].mean(axis=(0, 1))
        out[n] = np.clip((x[n] - m) * f + m, value_range[0], value_range[1])
    return out


# --- cases: (numpy function, its arguments, the op's attribute text, in/out
# spatial shape) ---------------------------------------------------------------

def lst(v):
    return "[" + ", ".join(repr(float(a)) for a in v) + "]"


CASES = {}


def case(name, op, np_args, attrs, in_shape=(7, 6, 2), out_hw=None, seed=5):
    CASES[name] = (op, np_args, attrs, in_shape, out_hw, seed)


case("flip_horizontal", "random_flip", dict(mode="horizontal"), "mode horizontal")
case("flip_vertical", "random_flip", dict(mode="vertical"), "mode vertical", seed=8)
case("flip_both", "random_flip", dict(), "", seed=1)
for mode in ("reflect", "wrap", "constant", "nearest"):
    case(f"rotation_{mode}", "random_rotation",
         dict(factor=(-0.3, 0.3), fill_mode=mode, fill_value=0.25),
         f"factor [-0.3, 0.3] fill_mode {mode} fill_value 0.25")
case("rotation_nearest_interpolation", "random_rotation",
     dict(factor=(-0.2, 0.4), fill_mode="constant", interpolation="nearest"),
     "factor [-0.2, 0.4] fill_mode constant interpolation nearest")
case("zoom_same", "random_zoom", dict(height_factor=(-0.4, 0.5)),
     "height_factor [-0.4, 0.5]")
case("zoom_both_constant", "random_zoom",
     dict(height_factor=(-0.3, 0.3), width_factor=(0.1, 0.6), fill_mode="constant"),
     "height_factor [-0.3, 0.3] width_factor [0.1, 0.6] fill_mode constant")
case("translation_wrap", "random_translation",
     dict(height_factor=(-0.5, 0.5), width_factor=(-0.3, 0.2), fill_mode="wrap"),
     "height_factor [-0.5, 0.5] width_factor [-0.3, 0.2] fill_mode wrap")
case("translation_nearest", "random_translation",
     dict(height_factor=(-0.4, 0.4), width_factor=(-0.4, 0.4), fill_mode="nearest",
          interpolation="nearest"),
     "height_factor [-0.4, 0.4] width_factor [-0.4, 0.4] fill_mode nearest interpolation nearest")
case("crop_random", "random_crop", dict(height=4, width=3), "height 4 width 3",
     out_hw=(4, 3))
# Not larger in both axes: Keras' centered crop and resize, in training too.
case("crop_resize", "random_crop", dict(height=9, width=4), "height 9 width 4",
     out_hw=(9, 4))
case("contrast", "random_contrast", dict(factor=(0.3, 0.5), value_range=(0.1, 0.9)),
     "factor [0.3, 0.5] value_range [0.1, 0.9]")


def ttype(shape, batch=True):
    return "tensor<" + "x".join((["?"] if batch else []) + [str(d) for d in shape] + ["f64"]) + ">"


def module(op, attrs, in_shape, out_shape, seed):
    p = int(np.prod(out_shape))
    return f"""weir.parameter @"head.kernel" : {ttype((p, B), False)} init <zeros>
func.func @m(%x: {ttype(in_shape)}) -> {ttype((B,))} {{
  %a = weir.{op} %x {attrs} seed {seed} : ({ttype(in_shape)}) -> {ttype(out_shape)}
  %f = weir.flatten %a : {ttype(out_shape)} -> {ttype((p,))}
  %k = weir.load_param @"head.kernel" : {ttype((p, B), False)}
  %y = weir.dense %f, %k : ({ttype((p,))}, {ttype((p, B), False)}) -> {ttype((B,))}
  return %y : {ttype((B,))}
}}
weir.train_config @m {{loss = #weir.loss<mean_squared_error>, optimizer = #weir.optimizer<sgd>, metrics = [], epochs = 1 : i64, batch_size = {B} : i64}}
"""






def run_case(name, weir, workdir):
    op, np_args, attrs, in_shape, out_hw, seed = CASES[name]
    out_shape = (out_hw or in_shape[:2]) + in_shape[2:]
    d = os.path.join(workdir, name)
    os.makedirs(d, exist_ok=True)
    model = os.path.join(d, "model.mlir")
    with open(model, "w") as f:
        f.write(module(op, attrs, in_shape, out_shape, seed))
    x = RNG.random((B,) + in_shape)
    y = np.eye(B)
    np.savez(os.path.join(d, "data.npz"), x_train=x, y_train=y, x_test=x, y_test=y)
    p = int(np.prod(out_shape))
    write_safetensors(os.path.join(d, "zero.safetensors"), {"head.kernel": np.zeros((p, B))})

    # Training form: the step key of `weir gradients` is 0.
    want = globals()[op](x, 0, seed, **np_args)
    # A case whose draws leave every image as it was could not fail.
    if want.shape == x.shape and np.abs(want - x).reshape(B, -1).max(axis=1).min() == 0 \
            and op != "random_flip":
        return False, "numpy leaves some image unchanged; pick another seed"
    if op == "random_flip" and (want == x).all():
        return False, "numpy flips no image; pick another seed"
    worst = 0.0
    for t in (1, 2, 3):
        out = os.path.join(d, f"grads{t}.safetensors")
        r = subprocess.run([weir, "gradients", model, "--weights",
                            os.path.join(d, "zero.safetensors"), "--data",
                            os.path.join(d, "data.npz"), "--split", "train",
                            "--threads", str(t), "-o", out],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return False, f"weir gradients failed: {r.stderr.strip()}"
        g = read_safetensors(out)["head.kernel"]
        got = (g.T * (-(B * B) / 2.0)).reshape((B,) + out_shape)
        err = np.abs(got - want).max()
        worst = max(worst, err)
        if err > 1e-9:
            bad = np.argwhere(np.abs(got - want) > 1e-9)[0]
            return False, f"training form differs by {err:.2e} (threads {t}) at {bad.tolist()}"

    # Inference form, through `weir run`.
    k = RNG.standard_normal((p, B))
    write_safetensors(os.path.join(d, "w.safetensors"), {"head.kernel": k})
    np.save(os.path.join(d, "x.npy"), x)
    yout = os.path.join(d, "y.npy")
    r = subprocess.run([weir, "run", model, "--weights", os.path.join(d, "w.safetensors"),
                        "--input", os.path.join(d, "x.npy"), "--output", yout],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return False, f"weir run failed: {r.stderr.strip()}"
    inferred = x if op != "random_crop" else center_crop_resize(x, *out_hw)
    err = np.abs(np.load(yout) - inferred.reshape(B, -1) @ k).max()
    if err > 1e-9:
        return False, f"inference form differs by {err:.2e}"
    return True, f"max abs err {worst:.1e}"


def main():
    return run_cases(CASES, run_case)


if __name__ == "__main__":
    sys.exit(main())
