"""What the input-pipeline benchmarks share: the Fashion-MNIST PNG tree
(written once with `weir data import-idx`), and a Python with torchvision
for the PyTorch side."""
import os
import subprocess
import sys

DATA = "/usr/share/datasets/fashion-mnist"


def ensure_png_tree(weir, tree):
    """Writes the train/ and test/ PNG tree into `tree` unless it is there."""
    if not os.path.isdir(os.path.join(tree, "train")):
        print(f"# writing the PNG tree: {weir} data import-idx {DATA} {tree}")
        subprocess.run([weir, "data", "import-idx", DATA, tree], check=True)


def torchvision_python():
    """A Python that has torchvision: this one, or Debian's; None if neither."""
    for py in (sys.executable, "/usr/bin/python3"):
        if os.path.exists(py) and subprocess.run(
                [py, "-c", "import torchvision"], capture_output=True).returncode == 0:
            return py
    return None
