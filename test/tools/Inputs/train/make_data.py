"""Writes DIR/blobs.npz: three Gaussian blobs in 4-D (x_train 96, x_test 48,
f32 x, u8 labels), a task a small model learns in a few epochs."""
import os
import sys

import numpy as np

rng = np.random.default_rng(0)
centers = np.array([[2, 0, 0, 1], [0, 2, 0, -1], [0, 0, 2, 0]], dtype=np.float32)


def split(n):
    y = rng.integers(0, 3, n).astype(np.uint8)
    x = centers[y] + rng.standard_normal((n, 4)).astype(np.float32) * 0.7
    return x.astype(np.float32), y


os.makedirs(sys.argv[1], exist_ok=True)
xt, yt = split(96)
xv, yv = split(48)
np.savez(os.path.join(sys.argv[1], "blobs.npz"), x_train=xt, y_train=yt, x_test=xv, y_test=yv)
# Labels out of range for a 3-class model.
np.savez(os.path.join(sys.argv[1], "badlabels.npz"), x_train=xt, y_train=yt + 5,
         x_test=xv, y_test=yv)
# Inputs of the wrong width.
np.savez(os.path.join(sys.argv[1], "wide.npz"), x_train=np.zeros((8, 5), np.float32),
         y_train=np.zeros(8, np.uint8), x_test=np.zeros((8, 5), np.float32),
         y_test=np.zeros(8, np.uint8))
