"""Counts, in printed MLIR, what the fusion report lists for a function:
the linalg ops and scf.for loops at its top level (CPU), or its
gpu.launch_func ops and calls to weir_* library functions (CUDA). Reads
the text alone, not the compiler's data structures.
    count_units.py cpu|cuda FUNCTION < module.mlir"""
import re
import sys

target, function = sys.argv[1], sys.argv[2]
lines = sys.stdin.read().splitlines()
start = next(i for i, l in enumerate(lines)
             if l.startswith(f"  func.func @{function}("))
body = []
for line in lines[start + 1:]:
    if line.startswith("  }"):
        break
    body.append(line)
if target == "cpu":
    top = re.compile(r"^    (%[\w:]+ = )?(linalg\.\w+|scf\.for)\b")
    units = [l for l in body if top.match(l)]
else:
    units = [l for l in body
             if "gpu.launch_func" in l or re.search(r"\bcall @weir_", l)]
print(len(units))
