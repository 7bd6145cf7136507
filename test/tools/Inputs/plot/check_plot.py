"""Decodes the PNG `weir plot` wrote (zlib and the PNG row filters, by
hand) and checks what a reader would see in it: its size, that it is not
blank, and that the curves go where the history says. In the loss panel
(left) the training curve (blue) falls from left to right and ends below
the validation curve (orange); in the accuracy panel (right) it rises.

usage: check_plot.py curves.png WIDTH HEIGHT [--no-order]
(--no-order: a real run's history, whose validation curve may end on
either side of the training one.)
"""
import struct
import sys
import zlib

BLUE, ORANGE = (31, 119, 180), (255, 127, 14)


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    at, idat, header = 8, b"", None
    while at < len(data):
        (n,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + n]
        at += 12 + n
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color != 2 or interlace:
        raise ValueError(f"expected 8-bit RGB, got depth {depth} color {color}")
    raw, stride, rows, prev = zlib.decompress(idat), width * 3, [], bytes(width * 3)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b, c = prev[i], prev[i - 3] if i >= 3 else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def pixels_of(rows, color, x0, x1):
    """(x, y) of every pixel of `color` with x0 <= x < x1."""
    out = []
    for y, row in enumerate(rows):
        for x in range(x0, x1):
            if tuple(row[3 * x:3 * x + 3]) == color:
                out.append((x, y))
    return out


def mean_y(points, x0, x1):
    ys = [y for x, y in points if x0 <= x < x1]
    if not ys:
        raise ValueError(f"no curve pixels in columns {x0}..{x1}")
    return sum(ys) / len(ys)


def main(path, want_w, want_h, *flags):
    check_order = "--no-order" not in flags
    w, h, rows = decode(path)
    if (w, h) != (int(want_w), int(want_h)):
        print(f"FAIL: size {w}x{h}")
        return 1
    colors = {tuple(row[i:i + 3]) for row in rows for i in range(0, len(row), 3)}
    if len(colors) < 4:
        print(f"FAIL: nearly blank ({len(colors)} colors)")
        return 1
    half = w // 2
    failures = []
    for panel, (x0, x1), falls in [("loss", (0, half), True),
                                   ("accuracy", (half, w), False)]:
        blue = pixels_of(rows, BLUE, x0, x1)
        orange = pixels_of(rows, ORANGE, x0, x1)
        if not blue or not orange:
            failures.append(f"{panel}: no curves")
            continue
        xs = sorted(x for x, _ in blue)
        lo, hi = xs[0], xs[-1]
        span = (hi - lo) // 8
        left, right = mean_y(blue, lo, lo + span), mean_y(blue, hi - span, hi + 1)
        if falls != (left < right):
            failures.append(f"{panel}: training curve from y={left:.0f} to y={right:.0f}")
        v_right = mean_y(orange, hi - span, hi + 1)
        # Loss: validation ends higher (smaller y); accuracy: lower.
        if check_order and falls != (v_right < right):
            failures.append(f"{panel}: validation ends at y={v_right:.0f}, training at y={right:.0f}")
    if failures:
        print("FAIL: " + "; ".join(failures))
        return 1
    print(f"ok: {w}x{h}, {len(colors)} colors, curves where the history puts them")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
