"""Writes the PNG trees of weir-train-pipeline.test into DIR.

  DIR/pngs/{train,test}/<class>/NNN.png  three classes of 10x10 grayscale
      images (a bright band at a class-dependent height, plus noise);
  DIR/arrays.npz  the same images and labels as arrays (x_train, y_train,
      x_test, y_test), labels in sorted class-folder order;
  DIR/bad/...     trees with one broken file each, for the error tests.

PNGs are written with zlib alone (no imaging library), 8-bit grayscale.
"""
import os
import struct
import sys
import zlib

import numpy as np

CLASSES = ["a_top", "b_middle", "c_bottom"]


def png_bytes(image):
    """An 8-bit grayscale PNG of a uint8 [h, w] array."""
    h, w = image.shape
    raw = b"".join(b"\x00" + image[r].tobytes() for r in range(h))

    def chunk(kind, data):
        body = kind + data
        return (struct.pack(">I", len(data)) + body +
                struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def images(rng, label, n, size=10):
    x = rng.integers(0, 150, size=(n, size, size)).astype(np.uint8)
    top = 1 + 3 * label
    x[:, top:top + 2, :] += 40
    return x


def main(out):
    rng = np.random.default_rng(7)
    arrays = {}
    for split, n in (("train", 120), ("test", 30)):
        xs, ys = [], []
        for label, name in enumerate(CLASSES):
            x = images(rng, label, n)
            for i, image in enumerate(x):
                write(os.path.join(out, "pngs", split, name, "%03d.png" % i),
                      png_bytes(image))
            xs.append(x)
            ys.append(np.full(n, label, np.uint8))
        arrays["x_" + split] = np.concatenate(xs)[..., None]
        arrays["y_" + split] = np.concatenate(ys)
    np.savez(os.path.join(out, "arrays.npz"), **arrays)

    good = png_bytes(images(rng, 0, 1)[0])
    # A truncated PNG among good ones.
    for name in CLASSES[:2]:
        for i in range(6):
            write(os.path.join(out, "bad", "truncated", name, "%03d.png" % i), good)
    write(os.path.join(out, "bad", "truncated", "a_top", "003.png"), good[:40])
    # A file that is not a PNG.
    for i in range(4):
        write(os.path.join(out, "bad", "notpng", "a_top", "%03d.png" % i), good)
    write(os.path.join(out, "bad", "notpng", "a_top", "002.png"), b"GIF89a....")
    # An image of another size.
    for i in range(4):
        write(os.path.join(out, "bad", "size", "a_top", "%03d.png" % i), good)
    write(os.path.join(out, "bad", "size", "a_top", "001.png"),
          png_bytes(np.zeros((12, 10), np.uint8)))
    # An empty class folder.
    write(os.path.join(out, "bad", "empty", "a_top", "000.png"), good)
    os.makedirs(os.path.join(out, "bad", "empty", "b_middle"), exist_ok=True)


if __name__ == "__main__":
    main(sys.argv[1])
