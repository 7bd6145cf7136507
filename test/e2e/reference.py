"""numpy reference implementations of the weir ops (docs/spec.md), written
independently of Weir's lowering: direct loops and formulas, float64."""
import math

import numpy as np


def window_out(n, k, s, d, padding):
    e = (k - 1) * d + 1
    if padding == "same":
        out = -(-n // s)
        total = max((out - 1) * s + e - n, 0)
        return out, total // 2, total - total // 2
    return (n - e) // s + 1, 0, 0


def dense(x, w, b=None):
    y = x.astype(np.float64) @ w.astype(np.float64)
    return y + b if b is not None else y


def conv2d(x, k, b=None, strides=(1, 1), padding="valid", dilation=(1, 1)):
    n, h, w, c = x.shape
    kh, kw, _, f = k.shape
    oh, pt, pb = window_out(h, kh, strides[0], dilation[0], padding)
    ow, pl, pr = window_out(w, kw, strides[1], dilation[1], padding)
    xp = np.pad(x.astype(np.float64), ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    y = np.zeros((n, oh, ow, f))
    for i in range(kh):
        for j in range(kw):
            r0, c0 = i * dilation[0], j * dilation[1]
            patch = xp[:, r0:r0 + strides[0] * (oh - 1) + 1:strides[0],
                       c0:c0 + strides[1] * (ow - 1) + 1:strides[1], :]
            y += np.einsum("nhwc,cf->nhwf", patch, k[i, j].astype(np.float64))
    return y + b if b is not None else y


def pool2d(x, pool, strides, padding, kind):
    n, h, w, c = x.shape
    strides = strides or pool
    oh, pt, _ = window_out(h, pool[0], strides[0], 1, padding)
    ow, pl, _ = window_out(w, pool[1], strides[1], 1, padding)
    y = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * strides[0] - pt, j * strides[1] - pl
            win = x[:, max(r0, 0):min(r0 + pool[0], h),
                    max(c0, 0):min(c0 + pool[1], w), :].astype(np.float64)
            y[:, i, j, :] = win.max(axis=(1, 2)) if kind == "max" else win.mean(axis=(1, 2))
    return y


def batch_norm(x, gamma, beta, mean, var, eps=1e-3):
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def gelu(x, approximate=False):
    if approximate:
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def relu(x):
    return np.maximum(x, 0)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


EPS = 1e-7


def log_softmax(x):
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def sparse_categorical_crossentropy(p, labels, from_logits):
    logp = log_softmax(p) if from_logits else np.log(np.clip(p, EPS, 1 - EPS))
    return -logp[np.arange(len(labels)), labels.astype(np.int64)].mean()


def categorical_crossentropy(p, t, from_logits):
    logp = log_softmax(p) if from_logits else np.log(np.clip(p, EPS, 1 - EPS))
    return -(t * logp).sum(axis=-1).mean()


def binary_crossentropy(p, t, from_logits):
    if from_logits:
        return (np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))).mean()
    q = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(q) + (1 - t) * np.log(1 - q)).mean()


def mean_squared_error(p, t):
    return ((p - t) ** 2).mean()
