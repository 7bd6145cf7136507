#!/usr/bin/env python3
"""Runs every weir op, and three whole models, through `weir run` on random
inputs and compares with the numpy references in reference.py.

The error measure is norm-wise: max|weir - ref| / max|ref| < 1e-5 for f32
(elementwise relative error is meaningless where ref crosses zero). Exits 1
on any mismatch and prints one line per case.

usage: check_ops.py --weir path/to/weir --workdir DIR [--only NAME]
"""
import argparse
import os
import subprocess
import sys

import numpy as np

import reference as ref
from e2e_util import write_safetensors

RNG = np.random.default_rng(1234)
F32 = "f32"


def rand(*shape, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def mlir_type(a, batched=False):
    kinds = {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64",
             np.dtype(np.uint8): "ui8", np.dtype(np.int32): "i32"}
    if a.ndim == 0:
        return "tensor<" + kinds[a.dtype] + ">"
    dims = ["?" if batched and i == 0 else str(d) for i, d in enumerate(a.shape)]
    return "tensor<" + "x".join(dims + [kinds[a.dtype]]) + ">"


class Case:
    def __init__(self, name, body, inputs, params, expected, tol=1e-5, out="f32"):
        self.name, self.body, self.inputs = name, body, inputs
        self.params, self.expected, self.tol, self.out = params, expected, tol, out

    def module(self):
        lines = [f"weir.parameter @{n} : {mlir_type(a)} init <zeros>"
                 for n, a in self.params.items()]
        args = ", ".join(f"%x{i}: {mlir_type(a, batched=True)}"
                         for i, a in enumerate(self.inputs))
        lines.append(f"func.func @f({args}) -> tensor<*x{self.out_elt()}> {{")
        for n, a in self.params.items():
            lines.append(f"  %{n} = weir.load_param @{n} : {mlir_type(a)}")
        lines += ["  " + l for l in self.body.strip().splitlines()]
        lines.append("}")
        return "\n".join(lines) + "\n"

    def out_elt(self):
        return self.out


def unary(name, fn, attrs=""):
    x = rand(3, 4, 5, scale=3.0)
    return Case(name, f"""
%y = weir.{name} %x0{attrs} : {mlir_type(x, True)} -> tensor<*xf32>
return %y : tensor<*xf32>""", [x], {}, fn(x.astype(np.float64)))


def cases():
    out = []
    x, w, b = rand(5, 7), rand(7, 3), rand(3)
    out.append(Case("dense", """
%y = weir.dense %x0, %w, %b : (tensor<?x7xf32>, tensor<7x3xf32>, tensor<3xf32>) -> tensor<*xf32>
return %y : tensor<*xf32>""", [x], {"w": w, "b": b}, ref.dense(x, w, b)))
    out.append(Case("dense_no_bias", """
%y = weir.dense %x0, %w : (tensor<?x7xf32>, tensor<7x3xf32>) -> tensor<*xf32>
return %y : tensor<*xf32>""", [x], {"w": w}, ref.dense(x, w)))

    for name, shape, kshape, attrs, kw in [
        ("conv2d_valid", (2, 9, 8, 3), (3, 3, 3, 4), "", {}),
        ("conv2d_same_stride2", (2, 9, 8, 3), (3, 3, 3, 5), " strides [2, 2] padding same",
         dict(strides=(2, 2), padding="same")),
        ("conv2d_dilation2", (2, 9, 9, 2), (3, 2, 2, 4), " dilation [2, 2]", dict(dilation=(2, 2))),
        ("conv2d_same_stride2x1_dilated", (1, 10, 7, 2), (2, 3, 2, 3),
         " strides [2, 1] padding same dilation [1, 2]",
         dict(strides=(2, 1), padding="same", dilation=(1, 2))),
    ]:
        x, k, b = rand(*shape), rand(*kshape), rand(kshape[3])
        out.append(Case(name, f"""
%y = weir.conv2d %x0, %k, %b{attrs} : ({mlir_type(x, True)}, {mlir_type(k)}, {mlir_type(b)}) -> tensor<*xf32>
return %y : tensor<*xf32>""", [x], {"k": k, "b": b}, ref.conv2d(x, k, b, **kw)))

    for name, op, shape, attrs, args in [
        ("max_pool_valid", "max_pool2d", (2, 8, 9, 3), "", ((2, 2), None, "valid", "max")),
        ("max_pool_same_3x3_s2", "max_pool2d", (2, 7, 8, 3), " pool_size [3, 3] strides [2, 2] padding same",
         ((3, 3), (2, 2), "same", "max")),
        ("avg_pool_valid", "avg_pool2d", (2, 8, 9, 3), "", ((2, 2), None, "valid", "avg")),
        ("avg_pool_same_3x3_s1", "avg_pool2d", (2, 5, 6, 3), " pool_size [3, 3] strides [1, 1] padding same",
         ((3, 3), (1, 1), "same", "avg")),
        ("avg_pool_same_2x2_odd", "avg_pool2d", (1, 5, 7, 2), " padding same", ((2, 2), None, "same", "avg")),
    ]:
        x = rand(*shape)
        out.append(Case(name, f"""
%y = weir.{op} %x0{attrs} : {mlir_type(x, True)} -> tensor<*xf32>
return %y : tensor<*xf32>""", [x], {}, ref.pool2d(x, *args)))

    x = rand(3, 4, 5, 6)
    out.append(Case("global_avg_pool2d", """
%y = weir.global_avg_pool2d %x0 : tensor<?x4x5x6xf32> -> tensor<*xf32>
return %y : tensor<*xf32>""", [x], {}, x.astype(np.float64).mean(axis=(1, 2))))
    out.append(Case("global_avg_pool2d_keepdims", """
%y = weir.global_avg_pool2d %x0 keepdims : tensor<?x4x5x6xf32> -> tensor<*xf32>
return %y : tensor<*xf32>""", [x], {}, x.astype(np.float64).mean(axis=(1, 2), keepdims=True)))

    x = rand(3, 4, 5, 6)
    g, be, m = rand(6), rand(6), rand(6)
    v = (np.abs(rand(6)) + 0.1).astype(np.float32)
    out.append(Case("batch_norm", """
%y = weir.batch_norm %x0, %g, %be, %m, %v : (tensor<?x4x5x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<*xf32>
return %y : tensor<*xf32>""", [x], {"g": g, "be": be, "m": m, "v": v},
                    ref.batch_norm(x.astype(np.float64), g, be, m, v)))

    x = rand(3, 4, 5, 2)
    out.append(Case("flatten", """
%y = weir.flatten %x0 : tensor<?x4x5x2xf32> -> tensor<*xf32>
return %y : tensor<*xf32>""", [x], {}, x.reshape(3, -1)))
    out.append(Case("reshape", """
%y = weir.reshape %x0 [10, -1] : tensor<?x4x5x2xf32> -> tensor<*xf32>
return %y : tensor<*xf32>""", [x], {}, x.reshape(3, 10, 4)))
    x1 = rand(4)
    out.append(Case("flatten_rank1", """
%y = weir.flatten %x0 : tensor<?xf32> -> tensor<*xf32>
return %y : tensor<*xf32>""", [x1], {}, x1.reshape(4, 1)))
    out.append(Case("dropout_is_identity_at_inference", """
%y = weir.dropout %x0 rate 0.5 seed 1 : (tensor<?x4x5x2xf32>) -> tensor<*xf32>
return %y : tensor<*xf32>""", [x], {}, x))

    a, b2, c = rand(3, 4, 5), rand(3, 4, 5), rand(3, 4, 5)
    out.append(Case("add", """
%y = weir.add %x0, %x1, %x2 : (tensor<?x4x5xf32>, tensor<?x4x5xf32>, tensor<?x4x5xf32>) -> tensor<*xf32>
return %y : tensor<*xf32>""", [a, b2, c], {}, a.astype(np.float64) + b2 + c))
    d = rand(3, 2, 5)
    out.append(Case("concat_axis1", """
%y = weir.concat %x0, %x1 axis 1 : (tensor<?x4x5xf32>, tensor<?x2x5xf32>) -> tensor<*xf32>
return %y : tensor<*xf32>""", [a, d], {}, np.concatenate([a, d], axis=1)))
    e = rand(3, 4, 2)
    out.append(Case("concat_last", """
%y = weir.concat %x0, %x1, %x0 : (tensor<?x4x5xf32>, tensor<?x4x2xf32>, tensor<?x4x5xf32>) -> tensor<*xf32>
return %y : tensor<*xf32>""", [a, e], {}, np.concatenate([a, e, a], axis=-1)))

    u = RNG.integers(0, 256, size=(3, 4, 4, 1), dtype=np.uint8)
    out.append(Case("cast_u8_to_f32", """
%y = weir.cast %x0 to f32 : tensor<?x4x4x1xui8> -> tensor<*xf32>
return %y : tensor<*xf32>""", [u], {}, u.astype(np.float64)))
    out.append(Case("rescale_u8", """
%y = weir.rescale %x0 scale 0.00392156862745098 offset -0.5 : tensor<?x4x4x1xui8> -> tensor<*xf32>
return %y : tensor<*xf32>""", [u], {}, u / 255.0 - 0.5))
    f = rand(3, 5, scale=100.0)
    out.append(Case("cast_f32_to_i32", """
%y = weir.cast %x0 to i32 : tensor<?x5xf32> -> tensor<*xi32>
return %y : tensor<*xi32>""", [f], {}, np.trunc(f).astype(np.int32), tol=0, out="i32"))
    out.append(Case("cast_f32_to_f64", """
%y = weir.cast %x0 to f64 : tensor<?x5xf32> -> tensor<*xf64>
return %y : tensor<*xf64>""", [f], {}, f.astype(np.float64), tol=0, out="f64"))

    out.append(unary("relu", ref.relu))
    out.append(unary("sigmoid", ref.sigmoid))
    out.append(unary("tanh", np.tanh))
    out.append(unary("gelu", ref.gelu))
    out.append(unary("gelu", lambda v: ref.gelu(v, approximate=True), " approximate"))
    out[-1].name = "gelu_approximate"
    out.append(unary("softmax", ref.softmax))
    out.append(unary("softmax", lambda v: ref.softmax(v, axis=1), " axis 1"))
    out[-1].name = "softmax_axis1"
    return out + losses() + models()


def losses():
    """Each loss, from logits and from probabilities, against reference.py."""
    out = []
    logits = rand(9, 10, scale=3.0)
    probs = ref.softmax(logits.astype(np.float64)).astype(np.float32)
    probs[0, 0] = 0.0  # exercises Keras' clipping
    labels = RNG.integers(0, 10, 9).astype(np.uint8)
    onehot = np.eye(10, dtype=np.float32)[labels]
    soft = ref.softmax(rand(9, 10).astype(np.float64)).astype(np.float32)
    for name, op, a, b2, kw in [
        ("sparse_ce_logits", "sparse_categorical_crossentropy", logits, labels, True),
        ("sparse_ce_probs", "sparse_categorical_crossentropy", probs, labels, False),
        ("categorical_ce_logits", "categorical_crossentropy", logits, soft, True),
        ("categorical_ce_probs", "categorical_crossentropy", probs, onehot, False),
    ]:
        attr = " from_logits" if kw else ""
        expected = getattr(ref, op)(a.astype(np.float64), b2, kw)
        out.append(Case(name, f"""
%y = weir.{op} %x0, %x1{attr} : ({mlir_type(a, True)}, {mlir_type(b2, True)}) -> tensor<*xf32>
return %y : tensor<*xf32>""", [a, b2], {}, np.float64(expected)))
    x = rand(6, 3, 2, scale=4.0)
    t = RNG.random((6, 3, 2)).astype(np.float32)
    p = (1 / (1 + np.exp(-x.astype(np.float64)))).astype(np.float32)
    for name, op, a, kw, fn in [
        ("binary_ce_logits", "binary_crossentropy", x, True, ref.binary_crossentropy),
        ("binary_ce_probs", "binary_crossentropy", p, False, ref.binary_crossentropy),
    ]:
        attr = " from_logits" if kw else ""
        out.append(Case(name, f"""
%y = weir.{op} %x0, %x1{attr} : ({mlir_type(a, True)}, {mlir_type(t, True)}) -> tensor<*xf32>
return %y : tensor<*xf32>""", [a, t], {}, np.float64(fn(a.astype(np.float64), t, kw))))
    out.append(Case("mean_squared_error", f"""
%y = weir.mean_squared_error %x0, %x1 : ({mlir_type(x, True)}, {mlir_type(t, True)}) -> tensor<*xf32>
return %y : tensor<*xf32>""", [x, t], {}, ref.mean_squared_error(x.astype(np.float64), t)))
    return out


def models():
    """The three example models with random weights."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    out = []
    x = RNG.integers(0, 256, size=(4, 28, 28, 1), dtype=np.uint8)
    p = {"dense.kernel": rand(784, 64, scale=0.05), "dense.bias": rand(64),
         "dense_1.kernel": rand(64, 10, scale=0.1), "dense_1.bias": rand(10)}
    h = ref.relu(ref.dense((x / 255.0).reshape(4, -1), p["dense.kernel"], p["dense.bias"]))
    y = ref.softmax(ref.dense(h, p["dense_1.kernel"], p["dense_1.bias"]))
    out.append(("model_mlp", os.path.join(root, "examples/mlp.mlir"), [x], p, y))

    p = {"conv2d.kernel": rand(3, 3, 1, 32, scale=0.3), "conv2d.bias": rand(32, scale=0.1),
         "conv2d_1.kernel": rand(3, 3, 32, 64, scale=0.1), "conv2d_1.bias": rand(64, scale=0.1),
         "dense.kernel": rand(1600, 10, scale=0.03), "dense.bias": rand(10)}
    h = ref.relu(ref.conv2d(x / 255.0, p["conv2d.kernel"], p["conv2d.bias"]))
    h = ref.pool2d(h, (2, 2), None, "valid", "max")
    h = ref.relu(ref.conv2d(h, p["conv2d_1.kernel"], p["conv2d_1.bias"]))
    h = ref.pool2d(h, (2, 2), None, "valid", "max").reshape(4, -1)
    y = ref.softmax(ref.dense(h, p["dense.kernel"], p["dense.bias"]))
    out.append(("model_cnn", os.path.join(root, "examples/cnn.mlir"), [x], p, y))

    xr = rand(2, 32, 32, 16)
    p = {}
    for blk in ("a", "b"):
        p[f"conv_{blk}.kernel"] = rand(3, 3, 16, 16, scale=0.1)
        p[f"bn_{blk}.gamma"] = rand(16)
        p[f"bn_{blk}.beta"] = rand(16)
        p[f"bn_{blk}.moving_mean"] = rand(16, scale=0.1)
        p[f"bn_{blk}.moving_variance"] = (np.abs(rand(16)) + 0.5).astype(np.float32)
    p["head.kernel"], p["head.bias"] = rand(16, 10), rand(10)

    def bn(h, blk):
        return ref.batch_norm(h, p[f"bn_{blk}.gamma"], p[f"bn_{blk}.beta"],
                              p[f"bn_{blk}.moving_mean"], p[f"bn_{blk}.moving_variance"])
    h = ref.relu(bn(ref.conv2d(xr, p["conv_a.kernel"], padding="same"), "a"))
    h = bn(ref.conv2d(h, p["conv_b.kernel"], padding="same"), "b")
    h = ref.relu(h + xr).mean(axis=(1, 2))
    y = ref.softmax(ref.dense(h, p["head.kernel"], p["head.bias"]))
    out.append(("model_resnet_block", os.path.join(root, "examples/resnet_block.mlir"), [xr], p, y))
    # The same models written in .weir: the front end must build what the
    # .mlir files say, so the same references apply.
    for name, weir_file in [("model_mlp", "fashion_mlp.weir"), ("model_cnn", "fashion_cnn.weir"),
                            ("model_resnet_block", "resnet_block.weir")]:
        _, _, inputs, params, expected = next(c for c in out if c[0] == name)
        out.append((name + "_weir", os.path.join(root, "examples", weir_file), inputs, params, expected))
    return out


def run_case(weir, workdir, name, model_path, inputs, params, expected, tol):
    d = os.path.join(workdir, name)
    os.makedirs(d, exist_ok=True)
    args = [weir, "run", model_path, "--weights", os.path.join(d, "w.safetensors"),
            "--output", os.path.join(d, "y.npy")]
    for i, a in enumerate(inputs):
        np.save(os.path.join(d, f"x{i}.npy"), a)
        args += ["--input", os.path.join(d, f"x{i}.npy")]
    write_safetensors(os.path.join(d, "w.safetensors"), params, None)
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode != 0:
        return False, "weir run failed: " + proc.stderr.strip()
    y = np.load(os.path.join(d, "y.npy"))
    expected = np.asarray(expected)
    if y.shape != expected.shape:
        return False, f"shape {y.shape}, expected {expected.shape}"
    if tol == 0:
        ok = np.array_equal(y, expected.astype(y.dtype))
        return ok, "exact" if ok else "values differ"
    err = np.max(np.abs(y - expected)) / max(np.max(np.abs(expected)), 1e-30)
    return err < tol, f"rel err {err:.2e}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weir", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--only")
    a = p.parse_args()
    failures = 0
    for case in cases():
        if isinstance(case, tuple):
            name, path, inputs, params, expected = case
            tol = 1e-5
        else:
            name, inputs, params, expected, tol = (case.name, case.inputs,
                                                   case.params, case.expected, case.tol)
            path = os.path.join(a.workdir, name + ".mlir")
            os.makedirs(a.workdir, exist_ok=True)
            with open(path, "w") as f:
                f.write(case.module())
        if a.only and a.only != name:
            continue
        ok, detail = run_case(a.weir, a.workdir, name, path, inputs, params, expected, tol)
        failures += not ok
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}")
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
