#!/usr/bin/env python3
"""Finite-difference check of every gradient rule, in f64.

Each case is a small model around the op under test, written in the weir
dialect with a `weir.train_config`. `weir gradients` returns the loss and
the analytic gradients of every trainable parameter on one batch; this
script evaluates the same loss with the numpy references (reference.py,
written independently of Weir) and compares the gradients with central
differences at sampled coordinates:

    max |g_weir - g_fd| / max(|g_fd|, 1e-3) < 1e-5   (per parameter)

Cases without batch statistics also run on 2 threads, which splits the
batch into two replicas and averages their gradients (the all-reduce).
Dropout is not covered (its mask is a hash numpy would have to mirror).

usage: check_grads.py --weir path/to/weir --workdir DIR [--only NAME]
"""
import os
import subprocess
import sys

import numpy as np

import e2e_util
from e2e_util import read_safetensors, run_cases, write_safetensors

import reference as ref

RNG = np.random.default_rng(7)
B = 6  # batch






def ttype(shape, batch=True):
    dims = (["?"] if batch else []) + [str(d) for d in shape]
    return "tensor<" + "x".join(dims + ["f64"]) + ">"


class Model:
    """Builds a weir module: f64 parameters, one input, ops as text."""

    def __init__(self, in_shape):
        self.params, self.decls, self.body = {}, [], []
        self.state = {}  # non-trainable parameters: written, not checked
        self.n = 0
        self.in_shape = in_shape

    def param(self, name, shape, scale=0.5):
        self.params[name] = RNG.standard_normal(shape) * scale
        self.decls.append(f'weir.parameter @"{name}" : {ttype(shape, False)} init <zeros>')
        v = f"%p{self.n}"
        self.n += 1
        self.body.append(f'{v} = weir.load_param @"{name}" : {ttype(shape, False)}')
        return v

    def op(self, text, out_shape):
        v = f"%v{self.n}"
        self.n += 1
        self.body.append(f"{v} = {text.format(out=ttype(out_shape))}")
        return v

    def module(self, result, out_shape, loss, from_logits):
        body = "\n  ".join(self.body)
        logits = " from_logits" if from_logits else ""
        cfg = (f'weir.train_config @m {{loss = #weir.loss<{loss}>{", from_logits" if from_logits else ""}, '
               'optimizer = #weir.optimizer<sgd>, metrics = [], '
               'epochs = 1 : i64, batch_size = 8 : i64}')
        del logits
        return "\n".join(self.decls) + (
            f"\nfunc.func @m(%x: {ttype(self.in_shape)}) -> {ttype(out_shape)} {{\n  {body}\n"
            f"  return {result} : {ttype(out_shape)}\n}}\n{cfg}\n")


def dense(m, x, k, n, name):
    w = m.param(name + ".kernel", (k, n))
    b = m.param(name + ".bias", (n,))
    return m.op(f"weir.dense {x}, {w}, {b} : ({ttype((k,))}, {ttype((k, n), False)}, "
                f"{ttype((n,), False)}) -> {{out}}", (n,))


def unary(m, x, name, shape, attrs=""):
    return m.op(f"weir.{name} {x}{attrs} : {ttype(shape)} -> {{out}}", shape)


# Each case: (build(m, x) -> (value, shape), numpy forward(params, x), in_shape,
#             loss, from_logits, threads)
CASES = {}


def case(name, in_shape, loss="sparse_categorical_crossentropy", from_logits=True,
         threads=(1, 2), classes=3):
    def wrap(fn):
        CASES[name] = (fn, in_shape, loss, from_logits, threads, classes)
        return fn
    return wrap


def head(m, v, k, classes):
    """flatten (when needed) and a dense classifier."""
    return dense(m, v, k, classes, "head")


def act_case(name, np_fn, attrs=""):
    @case(name, (5,))
    def build(m, x, np_mode):
        if np_mode:
            p = m
            return ref.dense(np_fn(ref.dense(x, p["d.kernel"], p["d.bias"])),
                             p["head.kernel"], p["head.bias"])
        h = dense(m, x, 5, 6, "d")
        h = unary(m, h, name.split("_")[0], (6,), attrs)
        return head(m, h, 6, 3), (3,)


act_case("relu", ref.relu)
act_case("sigmoid", ref.sigmoid)
act_case("tanh", np.tanh)
act_case("gelu", ref.gelu)
act_case("gelu_approximate", lambda v: ref.gelu(v, True), " approximate")
act_case("softmax", ref.softmax)


def flatten_head(m, h, shape):
    """Flattens `h` (of `shape`, batch aside) into a 3-class dense head."""
    flat = int(np.prod(shape))
    h = unary(m, h, "flatten", shape)
    m.body[-1] = m.body[-1].replace("-> " + ttype(shape), "-> " + ttype((flat,)))
    return head(m, h, flat, 3), (3,)


def conv_case(name, strides, padding, dilation, k=3):
    @case(name, (7, 7, 2))
    def build(m, x, np_mode):
        if np_mode:
            p = m
            y = ref.conv2d(x, p["c.kernel"], p["c.bias"], strides, padding, dilation)
            y = y.reshape(len(x), -1)
            return ref.dense(y, p["head.kernel"], p["head.bias"])
        w = m.param("c.kernel", (k, k, 2, 3))
        b = m.param("c.bias", (3,))
        oh = ref.window_out(7, k, strides[0], dilation[0], padding)[0]
        shape = (oh, oh, 3)
        attrs = f" strides [{strides[0]}, {strides[1]}] padding {padding} dilation [{dilation[0]}, {dilation[1]}]"
        h = m.op(f"weir.conv2d %x, {w}, {b}{attrs} : ({ttype((7, 7, 2))}, "
                 f"{ttype((k, k, 2, 3), False)}, {ttype((3,), False)}) -> {{out}}", shape)
        return flatten_head(m, h, shape)


def conv_chain_case(name, strides, padding, k, hw, dilation=(1, 1)):
    """A 1x1 convolution, then the one under test: the second's input
    gradient (conv2d_backprop_input) reaches the first's parameters."""
    @case(name, (hw, hw, 2))
    def build(m, x, np_mode):
        if np_mode:
            p = m
            y = ref.conv2d(x, p["a.kernel"], p["a.bias"])
            y = ref.conv2d(y, p["c.kernel"], p["c.bias"], strides, padding, dilation)
            y = y.reshape(len(x), -1)
            return ref.dense(y, p["head.kernel"], p["head.bias"])
        wa = m.param("a.kernel", (1, 1, 2, 3))
        ba = m.param("a.bias", (3,))
        h = m.op(f"weir.conv2d %x, {wa}, {ba} : ({ttype((hw, hw, 2))}, "
                 f"{ttype((1, 1, 2, 3), False)}, {ttype((3,), False)}) -> {{out}}",
                 (hw, hw, 3))
        w = m.param("c.kernel", (k, k, 3, 2))
        b = m.param("c.bias", (2,))
        oh = ref.window_out(hw, k, strides[0], dilation[0], padding)[0]
        ow = ref.window_out(hw, k, strides[1], dilation[1], padding)[0]
        shape = (oh, ow, 2)
        attrs = (f" strides [{strides[0]}, {strides[1]}] padding {padding}"
                 f" dilation [{dilation[0]}, {dilation[1]}]")
        h = m.op(f"weir.conv2d {h}, {w}, {b}{attrs} : ({ttype((hw, hw, 3))}, "
                 f"{ttype((k, k, 3, 2), False)}, {ttype((2,), False)}) -> {{out}}", shape)
        return flatten_head(m, h, shape)


conv_case("conv2d_valid", (1, 1), "valid", (1, 1))
conv_case("conv2d_same_stride2", (2, 2), "same", (1, 1))
conv_case("conv2d_valid_stride2", (2, 2), "valid", (1, 1))
conv_case("conv2d_dilation2", (1, 1), "same", (2, 2))
# Input gradients: strided ones go through the phase split (one stride-1
# convolution per phase), the others through the dilated form.
conv_chain_case("conv_input_grad_s1", (1, 1), "same", 3, 6)
conv_chain_case("conv_input_grad_s2_same", (2, 2), "same", 3, 7)
conv_chain_case("conv_input_grad_s2_valid_even", (2, 2), "valid", 4, 8)
conv_chain_case("conv_input_grad_s3_same", (3, 3), "same", 5, 8)
conv_chain_case("conv_input_grad_s2x1", (2, 1), "valid", 3, 7)
conv_chain_case("conv_input_grad_1x1_s2", (2, 2), "valid", 1, 7)
conv_chain_case("conv_input_grad_s2_dilation2", (2, 2), "valid", 3, 9, (2, 2))


def pool_case(name, kind, pool, strides, padding):
    @case(name, (6, 6, 2))
    def build(m, x, np_mode):
        if np_mode:
            p = m
            y = ref.conv2d(x, p["c.kernel"], p["c.bias"], (1, 1), "same")
            y = ref.pool2d(y, pool, strides, padding, kind).reshape(len(x), -1)
            return ref.dense(y, p["head.kernel"], p["head.bias"])
        w = m.param("c.kernel", (3, 3, 2, 2))
        b = m.param("c.bias", (2,))
        h = m.op(f"weir.conv2d %x, {w}, {b} padding same : ({ttype((6, 6, 2))}, "
                 f"{ttype((3, 3, 2, 2), False)}, {ttype((2,), False)}) -> {{out}}", (6, 6, 2))
        s = strides or pool
        o = ref.window_out(6, pool[0], s[0], 1, padding)[0]
        st = f" strides [{strides[0]}, {strides[1]}]" if strides else ""
        h = m.op(f"weir.{kind}_pool2d {h} pool_size [{pool[0]}, {pool[1]}]{st} padding {padding} : "
                 f"{ttype((6, 6, 2))} -> {{out}}", (o, o, 2))
        flat = o * o * 2
        h = m.op(f"weir.flatten {h} : {ttype((o, o, 2))} -> {{out}}", (flat,))
        return head(m, h, flat, 3), (3,)


pool_case("max_pool_2x2", "max", (2, 2), None, "valid")
pool_case("max_pool_3x3_s1_same", "max", (3, 3), (1, 1), "same")
pool_case("avg_pool_2x2_same", "avg", (2, 2), None, "same")
pool_case("avg_pool_3x3_s2_valid", "avg", (3, 3), (2, 2), "valid")


@case("global_avg_pool2d", (4, 4, 2))
def gap(m, x, np_mode):
    if np_mode:
        p = m
        y = ref.conv2d(x, p["c.kernel"], p["c.bias"], (1, 1), "same").mean(axis=(1, 2))
        return ref.dense(y, p["head.kernel"], p["head.bias"])
    w = m.param("c.kernel", (3, 3, 2, 3))
    b = m.param("c.bias", (3,))
    h = m.op(f"weir.conv2d %x, {w}, {b} padding same : ({ttype((4, 4, 2))}, "
             f"{ttype((3, 3, 2, 3), False)}, {ttype((3,), False)}) -> {{out}}", (4, 4, 3))
    h = m.op(f"weir.global_avg_pool2d {h} : {ttype((4, 4, 3))} -> {{out}}", (3,))
    return head(m, h, 3, 3), (3,)


@case("batch_norm_train", (5,), threads=(1,))
def bn(m, x, np_mode):
    if np_mode:
        p = m
        h = ref.dense(x, p["d.kernel"], p["d.bias"])
        mu, var = h.mean(axis=0), h.var(axis=0)
        h = ref.relu((h - mu) / np.sqrt(var + 1e-3) * p["bn.gamma"] + p["bn.beta"])
        return ref.dense(h, p["head.kernel"], p["head.bias"])
    h = dense(m, x, 5, 4, "d")
    g = m.param("bn.gamma", (4,))
    b = m.param("bn.beta", (4,))
    m.state["bn.mean"] = np.zeros(4)
    m.state["bn.var"] = np.ones(4)
    mean = f"%bm{m.n}"
    var = f"%bv{m.n}"
    m.decls.append(f'weir.parameter @"bn.mean" : {ttype((4,), False)} init <zeros> non_trainable')
    m.decls.append(f'weir.parameter @"bn.var" : {ttype((4,), False)} init <ones> non_trainable')
    m.body.append(f'{mean} = weir.load_param @"bn.mean" : {ttype((4,), False)}')
    m.body.append(f'{var} = weir.load_param @"bn.var" : {ttype((4,), False)}')
    h = m.op(f"weir.batch_norm {h}, {g}, {b}, {mean}, {var} : ({ttype((4,))}, "
             + ", ".join([ttype((4,), False)] * 4) + ") -> {out}", (4,))
    h = unary(m, h, "relu", (4,))
    return head(m, h, 4, 3), (3,)


@case("add_concat_reshape", (6,))
def structure(m, x, np_mode):
    if np_mode:
        p = m
        a = ref.dense(x, p["a.kernel"], p["a.bias"])
        b = np.tanh(ref.dense(x, p["b.kernel"], p["b.bias"]))
        s = a + b
        c = np.concatenate([s, a], axis=-1).reshape(len(x), 2, 4).reshape(len(x), 8)
        return ref.dense(c, p["head.kernel"], p["head.bias"])
    a = dense(m, x, 6, 4, "a")
    b = dense(m, x, 6, 4, "b")
    b = unary(m, b, "tanh", (4,))
    s = m.op(f"weir.add {a}, {b} : ({ttype((4,))}, {ttype((4,))}) -> {{out}}", (4,))
    c = m.op(f"weir.concat {s}, {a} : ({ttype((4,))}, {ttype((4,))}) -> {{out}}", (8,))
    r = m.op(f"weir.reshape {c} [2, 4] : {ttype((8,))} -> {{out}}", (2, 4))
    f = m.op(f"weir.flatten {r} : {ttype((2, 4))} -> {{out}}", (8,))
    return head(m, f, 8, 3), (3,)


@case("rescale", (5,))
def rescale(m, x, np_mode):
    if np_mode:
        p = m
        h = ref.dense(x, p["d.kernel"], p["d.bias"]) * 0.5 + 0.25
        return ref.dense(h, p["head.kernel"], p["head.bias"])
    h = dense(m, x, 5, 4, "d")
    h = m.op(f"weir.rescale {h} scale 5.000000e-01 offset 2.500000e-01 : {ttype((4,))} -> {{out}}", (4,))
    return head(m, h, 4, 3), (3,)


@case("sparse_ce_probabilities", (5,), from_logits=False)
def sce_probs(m, x, np_mode):
    """Probabilities that are not a softmax (so the loss is not rewritten to
    logits): the clipped log path and its gradient."""
    if np_mode:
        p = m
        return ref.sigmoid(ref.dense(x, p["head.kernel"], p["head.bias"]))
    h = head(m, "%x", 5, 3)
    return unary(m, h, "sigmoid", (3,)), (3,)


@case("softmax_then_sparse_ce", (5,), from_logits=False)
def sce_softmax(m, x, np_mode):
    """A softmax output with from_logits unset: Weir fuses it into the loss."""
    if np_mode:
        p = m
        return ref.softmax(ref.dense(x, p["head.kernel"], p["head.bias"]))
    h = head(m, "%x", 5, 3)
    return unary(m, h, "softmax", (3,)), (3,)


def loss_case(name, loss, from_logits, final=None):
    """A dense head, an optional final activation, and a float-target loss."""
    @case(name, (5,), loss=loss, from_logits=from_logits)
    def build(m, x, np_mode):
        if np_mode:
            p = m
            y = ref.dense(x, p["head.kernel"], p["head.bias"])
            return {"sigmoid": ref.sigmoid, "softmax": ref.softmax,
                    None: lambda v: v}[final](y)
        h = head(m, "%x", 5, 3)
        if final:
            h = unary(m, h, final, (3,))
        return h, (3,)


loss_case("categorical_ce_logits", "categorical_crossentropy", True)
loss_case("categorical_ce_softmax", "categorical_crossentropy", False, "softmax")
loss_case("categorical_ce_probabilities", "categorical_crossentropy", False, "sigmoid")
loss_case("binary_ce_logits", "binary_crossentropy", True)
loss_case("binary_ce_sigmoid", "binary_crossentropy", False, "sigmoid")
loss_case("binary_ce_probabilities", "binary_crossentropy", False, "softmax")
loss_case("mean_squared_error", "mean_squared_error", False)


def np_loss(loss, pred, y, from_logits):
    if loss == "sparse_categorical_crossentropy":
        return ref.sparse_categorical_crossentropy(pred, y, from_logits)
    if loss == "categorical_crossentropy":
        return ref.categorical_crossentropy(pred, y, from_logits)
    if loss == "binary_crossentropy":
        return ref.binary_crossentropy(pred, y, from_logits)
    return ref.mean_squared_error(pred, y)


def run_case(name, weir, workdir):
    fn, in_shape, loss, from_logits, threads, classes = CASES[name]
    m = Model(in_shape)
    result, out_shape = fn(m, "%x", False)
    d = os.path.join(workdir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "model.mlir"), "w") as f:
        f.write(m.module(result, out_shape, loss, from_logits))
    x = RNG.standard_normal((B,) + in_shape)
    if loss == "sparse_categorical_crossentropy":
        y = RNG.integers(0, classes, B).astype(np.int32)
    elif loss == "categorical_crossentropy":
        y = np.eye(classes)[RNG.integers(0, classes, B)]
    elif loss == "binary_crossentropy":
        y = (RNG.random((B, classes)) > 0.5).astype(np.float64)
    else:
        y = RNG.standard_normal((B, classes))
    np.savez(os.path.join(d, "data.npz"), x_train=x, y_train=y, x_test=x, y_test=y)
    write_safetensors(os.path.join(d, "w.safetensors"), {**m.params, **m.state})

    def numpy_loss(params):
        return np_loss(loss, fn(params, x, True), y, from_logits)

    worst = 0.0
    for t in threads:
        out = os.path.join(d, f"grads{t}.safetensors")
        cmd = [weir, "gradients", os.path.join(d, "model.mlir"), "--weights",
               os.path.join(d, "w.safetensors"), "--data", os.path.join(d, "data.npz"),
               "--split", "train", "--threads", str(t), "--device",
               e2e_util.OPTIONS.device, "-o", out]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            return False, f"weir gradients failed: {r.stderr.strip()}"
        got = read_safetensors(out)
        l_ref = numpy_loss(m.params)
        if abs(got["loss"] - l_ref) > 1e-9 * max(1, abs(l_ref)):
            return False, f"loss {float(got['loss'])} != numpy {l_ref} (threads {t})"
        for pname, value in m.params.items():
            g = got[pname]
            flat = value.reshape(-1)
            idx = RNG.choice(flat.size, size=min(flat.size, 12), replace=False)
            fd = []
            for i in idx:
                h = 1e-6
                old = flat[i]
                flat[i] = old + h
                lp = numpy_loss(m.params)
                flat[i] = old - h
                lm = numpy_loss(m.params)
                flat[i] = old
                fd.append((lp - lm) / (2 * h))
            fd = np.array(fd)
            err = np.abs(g.reshape(-1)[idx] - fd).max() / max(np.abs(fd).max(), 1e-3)
            worst = max(worst, err)
            if err > 1e-5:
                return False, f"{pname}: rel err {err:.2e} (threads {t})"
    return True, f"max rel err {worst:.1e}"


def main():
    return run_cases(CASES, run_case)


if __name__ == "__main__":
    sys.exit(main())
