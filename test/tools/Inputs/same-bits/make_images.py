"""Writes DIR/images.npz: 512 training and 128 test 28x28x1 u8 images with
labels in [0, 10), from integer arithmetic alone (no random generator, so
every numpy writes the same bytes): input for the same-bits test."""
import os
import sys

import numpy as np


def split(n, offset):
    i = np.arange(offset, offset + n, dtype=np.int64)
    y = (i * 7) % 10
    p = np.arange(28 * 28, dtype=np.int64)
    # A class-dependent stripe pattern plus per-image noise.
    x = ((p[None, :] % (y[:, None] + 3)) * 40 + (i[:, None] * 131 + p[None, :] * 17) % 61) % 256
    return x.reshape(n, 28, 28, 1).astype(np.uint8), y.astype(np.uint8)


os.makedirs(sys.argv[1], exist_ok=True)
xt, yt = split(512, 0)
xv, yv = split(128, 512)
np.savez(os.path.join(sys.argv[1], "images.npz"), x_train=xt, y_train=yt, x_test=xv, y_test=yv)
