"""Checks `weir summary --memory --measure` output: the measured peak is
within TOLERANCE of the planned one, and the plan's peak is below the sum
of all the step's buffers (each freed after its last use).

usage: check_memory.py SUMMARY.txt TOLERANCE
"""
import re
import sys


def main(path, tolerance):
    text = open(path).read()
    peak = int(re.search(r"peak: .* \(([\d,]+) bytes\)", text).group(1).replace(",", ""))
    measured = int(re.search(r"measured peak of one step: .* \(([\d,]+) bytes",
                             text).group(1).replace(",", ""))
    m = re.search(r"allocated in all: ([\d.]+) (B|KB|MB|GB)", text)
    scale = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}[m.group(2)]
    allocated = float(m.group(1)) * scale
    if abs(measured - peak) > float(tolerance) * peak:
        print(f"FAIL: measured {measured} bytes, planned {peak}")
        return 1
    if not peak < allocated:
        print(f"FAIL: peak {peak} is not below all buffers {allocated}")
        return 1
    print(f"ok: measured {100 * measured / peak:.1f}% of the plan, "
          f"peak {100 * peak / allocated:.1f}% of all buffers")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
