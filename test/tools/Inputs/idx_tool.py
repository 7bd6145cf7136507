"""Test helper for weir-data.test, standard library only.
  make DIR          writes a tiny IDX dataset (train gzipped, t10k plain) and
                    bad variants into DIR
  check DIR TREE    decodes every PNG under TREE with an independent decoder
                    and compares with the images and labels written by make
"""
import gzip
import os
import struct
import sys
import zlib

N_TRAIN, N_TEST, H, W = 12, 5, 4, 3


def pixels(i):
    return bytes((i * 31 + j * 7) % 256 for j in range(H * W))


def label(i):
    return (i * 3) % 10


def idx(dtype, dims, data):
    return bytes([0, 0, dtype, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + data


def make(d):
    os.makedirs(d, exist_ok=True)
    imgs = lambda n: idx(0x08, [n, H, W], b"".join(pixels(i) for i in range(n)))
    labs = lambda n: idx(0x08, [n], bytes(label(i) for i in range(n)))
    with gzip.open(os.path.join(d, "train-images-idx3-ubyte.gz"), "wb") as f:
        f.write(imgs(N_TRAIN))
    with gzip.open(os.path.join(d, "train-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(labs(N_TRAIN))
    open(os.path.join(d, "t10k-images-idx3-ubyte"), "wb").write(imgs(N_TEST))
    open(os.path.join(d, "t10k-labels-idx1-ubyte"), "wb").write(labs(N_TEST))
    bad = lambda name, sub, data: (os.makedirs(os.path.join(d, sub), exist_ok=True),
                                   open(os.path.join(d, sub, name), "wb").write(data))
    for sub in ("truncated", "magic", "count"):
        for n in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
            bad(n, sub, open(os.path.join(d, n), "rb").read())
        bad("train-images-idx3-ubyte", sub, imgs(N_TRAIN))
        bad("train-labels-idx1-ubyte", sub, labs(N_TRAIN))
    bad("train-images-idx3-ubyte", "truncated", imgs(N_TRAIN)[:-5])
    bad("train-images-idx3-ubyte", "magic", b"\x50\x4b" + imgs(N_TRAIN)[2:])
    bad("train-labels-idx1-ubyte", "count", labs(N_TRAIN - 1))


def decode_png(path):
    """8-bit grayscale, non-interlaced PNGs: enough for what import-idx writes."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert (depth, color, interlace) == (8, 0, 0), path
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, rows, prev = zlib.decompress(idat), [], bytes(w)
    for y in range(h):
        f, line = raw[y * (w + 1)], bytearray(raw[y * (w + 1) + 1:(y + 1) * (w + 1)])
        for x in range(w):
            a = line[x - 1] if x else 0
            b, c = prev[x], prev[x - 1] if x else 0
            p = a + b - c
            pred = [0, a, b, (a + b) // 2,
                    a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c)
                    else b if abs(p - b) <= abs(p - c) else c][f]
            line[x] = (line[x] + pred) % 256
        rows.append(bytes(line))
        prev = line
    return w, h, b"".join(rows)


def check(d, tree):
    ok = True
    for split, n in (("train", N_TRAIN), ("test", N_TEST)):
        classes = sorted(os.listdir(os.path.join(tree, split)))
        for i in range(n):
            folder = classes[label(i)]
            name = str(i).zfill(len(str(n - 1)))
            path = os.path.join(tree, split, folder, name + ".png")
            w, h, px = decode_png(path)
            if (w, h, px) != (W, H, pixels(i)):
                print("MISMATCH", path)
                ok = False
        print(split, len(classes), "classes:", " ".join(classes))
    print("OK" if ok else "FAILED")


if __name__ == "__main__":
    {"make": lambda: make(sys.argv[2]), "check": lambda: check(sys.argv[2], sys.argv[3])}[sys.argv[1]]()
