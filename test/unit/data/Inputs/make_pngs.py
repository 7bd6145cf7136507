#!/usr/bin/env python3
"""Writes the PNG files that the PNG tests decode, chunk by chunk with only
zlib and struct, so that the decoder is checked against files that neither
it nor libpng wrote. The pixel values below are the ones the tests assert.

    python3 make_pngs.py [OUTPUT_DIR]    # default: this script's directory
"""
import os
import struct
import sys
import zlib

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
    os.path.abspath(__file__))
SIGNATURE = b"\x89PNG\r\n\x1a\n"

GRAY, RGB, PALETTE, GRAY_ALPHA, RGBA = 0, 2, 3, 4, 6
SAMPLES = {GRAY: 1, RGB: 3, PALETTE: 1, GRAY_ALPHA: 2, RGBA: 4}

# Adam7: (first column, first row, column step, row step) of each pass.
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
         (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def chunk(kind, data):
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def pack_row(samples, bit_depth):
    """One row of samples, big-endian, the last byte padded with zero bits."""
    if bit_depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    if bit_depth == 8:
        return bytes(samples)
    per_byte = 8 // bit_depth
    out = bytearray()
    for i in range(0, len(samples), per_byte):
        group = samples[i:i + per_byte]
        byte = 0
        for s in group:
            byte = (byte << bit_depth) | s
        out.append(byte << (bit_depth * (per_byte - len(group))))
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_rows(rows, bpp, filters):
    """Filter type filters[y % len(filters)] on row y; rows are packed bytes."""
    out = bytearray()
    prev = bytes(len(rows[0])) if rows else b""
    for y, row in enumerate(rows):
        ftype = filters[y % len(filters)]
        out.append(ftype)
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            pred = (0, a, b, (a + b) // 2, paeth(a, b, c))[ftype]
            out.append((x - pred) & 0xFF)
        prev = row
    return bytes(out)


def image_data(pixels, bit_depth, color_type, filters, interlace):
    """pixels: rows of pixels, each a tuple of samples (or an int for one)."""
    samples = SAMPLES[color_type]
    bpp = max(1, samples * bit_depth // 8)

    def flat(row):
        out = []
        for p in row:
            out.extend(p if isinstance(p, tuple) else (p,))
        return out

    if not interlace:
        return filter_rows([pack_row(flat(r), bit_depth) for r in pixels],
                           bpp, filters)
    height, width = len(pixels), len(pixels[0])
    out = b""
    for x0, y0, dx, dy in ADAM7:
        sub = [[pixels[y][x] for x in range(x0, width, dx)]
               for y in range(y0, height, dy)]
        if not sub or not sub[0]:
            continue  # an empty pass has no bytes at all, not even filters
        out += filter_rows([pack_row(flat(r), bit_depth) for r in sub], bpp,
                           filters)
    return out


def png(pixels, bit_depth, color_type, filters=(0,), interlace=0,
        before_idat=(), level=9, idat=None, size=None):
    height, width = size if size else (len(pixels), len(pixels[0]))
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0,
                       interlace)
    if idat is None:
        idat = zlib.compress(
            image_data(pixels, bit_depth, color_type, filters, interlace),
            level)
    out = SIGNATURE + chunk(b"IHDR", ihdr)
    for kind, data in before_idat:
        out += chunk(kind, data)
    return out + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


GRAY8 = [[0, 17, 34, 51], [100, 150, 200, 250], [255, 128, 64, 1]]
PALETTE_RGB = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (10, 20, 30),
               (200, 100, 50)]
RGB8 = [[(255, 0, 0), (0, 255, 0), (0, 0, 255)],
        [(10, 20, 30), (200, 100, 50), (255, 255, 255)]]


def interlaced_pixel(x, y):
    return (40 * x, 50 * y, 7 * x * y + 3)


def main():
    # 8-bit gray, 4x3; filters None, Sub, Up.
    write("gray8.png", png(GRAY8, 8, GRAY, filters=(0, 1, 2)))
    # 16-bit gray, 3x2; decodes to the high bytes 0 0 1 / 127 128 255
    # (0x00FF would round to 1 if scaled instead of stripped). Filter Average.
    write("gray16.png", png([[0x0000, 0x00FF, 0x0100],
                             [0x7FFF, 0x8000, 0xFFFF]], 16, GRAY,
                            filters=(3,)))
    # 1-bit gray, 10x2 (padding bits in each row's second byte); Paeth.
    write("gray1.png", png([[1, 0, 1, 1, 0, 0, 1, 0, 1, 1],
                            [0, 1, 0, 0, 1, 1, 0, 1, 0, 0]], 1, GRAY,
                           filters=(4,)))
    # 2-bit gray, 5x1: 0 85 170 255 170.
    write("gray2.png", png([[0, 1, 2, 3, 2]], 2, GRAY))
    # 4-bit gray, 3x2: times 17.
    write("gray4.png", png([[0, 5, 15], [8, 1, 14]], 4, GRAY))
    # 4-bit palette, 3x2, indices 0 1 2 / 3 4 0; tRNS makes entry 0
    # transparent and entry 1 half so, the others opaque.
    write("palette_trns.png",
          png([[0, 1, 2], [3, 4, 0]], 4, PALETTE,
              before_idat=[(b"PLTE", bytes(c for rgb in PALETTE_RGB
                                           for c in rgb)),
                           (b"tRNS", bytes([0, 128]))]))
    # 8-bit RGB, 3x2; filters Paeth, Average.
    write("rgb.png", png(RGB8, 8, RGB, filters=(4, 3)))
    # 8-bit RGBA, 2x2; filters Sub, Paeth.
    write("rgba.png", png([[(255, 0, 0, 255), (0, 255, 0, 128)],
                           [(0, 0, 255, 0), (10, 20, 30, 40)]], 8, RGBA,
                          filters=(1, 4)))
    # 8-bit gray + alpha, 3x1; filter Up.
    write("gray_alpha.png", png([[(0, 255), (128, 64), (255, 0)]], 8,
                                GRAY_ALPHA, filters=(2,)))
    # 8-bit gray, 3x1, values 0 7 255; tRNS makes gray 7 transparent.
    write("gray_trns.png", png([[0, 7, 255]], 8, GRAY,
                               before_idat=[(b"tRNS", struct.pack(">H", 7))]))
    # 16-bit RGB, 3x1; tRNS is (0x8000, 0, 0xABCD): only the second pixel
    # matches it, the third differs in a low byte only.
    write("rgb16_trns.png",
          png([[(0xFFFF, 0x00FF, 0x1234), (0x8000, 0x0000, 0xABCD),
                (0x80FF, 0x0000, 0xABCD)]], 16, RGB,
              before_idat=[(b"tRNS", struct.pack(">HHH", 0x8000, 0, 0xABCD))]))
    # Adam7, 8-bit RGB, 6x5 (every pass non-empty), pixel (x, y) is
    # (40x, 50y, 7xy + 3); each pass cycles through the five filters. Stored
    # (zlib level 0) so that the fuzz test's mutations reach the filter bytes
    # and samples.
    write("interlaced.png",
          png([[interlaced_pixel(x, y) for x in range(6)] for y in range(5)],
              8, RGB, filters=(0, 1, 2, 3, 4), interlace=1, level=0))
    # Adam7, 8-bit gray, 3x2: passes 2, 3 and 5 are empty. Pixel (x, y) is
    # 10 (x + 3y) + 5.
    write("interlaced_tiny.png",
          png([[10 * (x + 3 * y) + 5 for x in range(3)] for y in range(2)], 8,
              GRAY, filters=(1,), interlace=1))
    # IHDR declares 100000x100000 8-bit gray; the IDAT holds one row.
    write("huge.png", png(None, 8, GRAY, size=(100000, 100000),
                          idat=zlib.compress(bytes(100001))))
    # gray8.png with a deflate stream whose first block has the invalid type
    # 3 (chunk CRCs correct).
    write("bad_zlib.png", png(GRAY8, 8, GRAY, idat=b"\x78\x9c\xff\xff\xff"))
    # gray8.png's header with the data of only its first two rows.
    write("short_idat.png",
          png(GRAY8[:2], 8, GRAY, size=(3, 4)))


if __name__ == "__main__":
    main()
