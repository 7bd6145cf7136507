"""Checks the layering of docs/architecture.md from the #include lines of
every source file: frontend -> dialect <- passes; runtime knows nothing but
itself; api over frontend, passes, dialect and runtime; the weir driver and
the fuzzer and the Python module over api only (weir-opt, an MLIR opt tool, over passes and
dialect). Prints each edge that breaks it and exits 1.
    check_layering.py SOURCE_ROOT"""
import os
import re
import sys

# Folder -> the project folders its files may include.
ALLOWED = {
    "dialect": {"dialect"},
    "frontend": {"frontend", "dialect"},
    "passes": {"passes", "dialect"},
    "runtime": {"runtime"},
    "api": {"api", "frontend", "passes", "dialect", "runtime"},
    "tools/weir": {"tools", "api"},
    "tools/fuzz": {"api"},
    "tools/weir-opt": {"passes", "dialect"},
    "python": {"python", "api"},
}
PROJECT = {"dialect", "frontend", "passes", "runtime", "api", "tools", "python"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(path):
    for layer in sorted(ALLOWED, key=len, reverse=True):
        if path == layer or path.startswith(layer + "/"):
            return layer
    return None


def main(root):
    broken = []
    for layer in ALLOWED:
        for dirpath, _, files in os.walk(os.path.join(root, layer)):
            for name in files:
                if not name.endswith((".cpp", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                if layer_of(rel) != layer:
                    continue
                with open(path, encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        top = m.group(1).split("/")[0]
                        if top in PROJECT and top not in ALLOWED[layer]:
                            broken.append("%s:%d: %s includes %s" %
                                          (rel, number, layer, m.group(1)))
    for line in broken:
        print(line)
    print("layering: %d include(s) break it" % len(broken))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
