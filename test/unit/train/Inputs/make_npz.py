#!/usr/bin/python3
# Writes the .npz fixtures DatasetTest.cpp and ZipTest.cpp read, with
# Python's standard library only (no numpy needed), laid out exactly as
# numpy's np.savez (STORED) and np.savez_compressed (DEFLATE) do: each member
# "<key>.npy" is written through ZipFile.open(name, "w", force_zip64=True),
# so its local header carries ZIP64 size fields even though it is small.
#
# Run from anywhere: /usr/bin/python3 make_npz.py  (writes next to itself).
# The outputs are committed; the build never runs this. The values are simple
# formulas that DatasetTest.cpp restates independently:
#   x_train u8  [5, 2, 3]  (i * 7 + 3) % 256 for i = 0, 1, ...
#   y_train u8  [5]        i % 3
#   x_test  f32 [2, 3]     i * 0.5 - 1
#   y_test  i64 [2, 1]     i + 7       (Keras' CIFAR layout: [N, 1])
import os
import struct
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def npy(descr, shape, data):
    """A version 1.0 .npy file, header padded to 64 bytes as numpy does."""
    shape_text = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def arrays():
    return [
        ("x_train", npy("|u1", (5, 2, 3), bytes((i * 7 + 3) % 256 for i in range(30)))),
        ("y_train", npy("|u1", (5,), bytes(i % 3 for i in range(5)))),
        ("x_test", npy("<f4", (2, 3), struct.pack("<6f", *[i * 0.5 - 1 for i in range(6)]))),
        ("y_test", npy("<i8", (2, 1), struct.pack("<2q", 7, 8))),
    ]


def savez(name, compression):
    with zipfile.ZipFile(os.path.join(HERE, name), "w", compression=compression) as z:
        for key, data in arrays():
            # What numpy.lib.npyio._savez does for each array.
            with z.open(key + ".npy", "w", force_zip64=True) as f:
                f.write(data)


savez("tiny_stored.npz", zipfile.ZIP_STORED)
savez("tiny_deflated.npz", zipfile.ZIP_DEFLATED)
