#!/usr/bin/env bash
# Creates (or updates) the virtual environment of the peer benchmark
# (bench/peers.py, bench/peers_png.py): PyTorch and torchvision,
# TensorFlow (CPU), Keras 3, keras-tuner, JAX and optax from PyPI, plus numpy and
# matplotlib. These are benchmark tools, never
# dependencies of Weir. PyPI's torch wheel brings the CUDA libraries along
# (about 5 GiB in all); they are unused here, where everything runs on the
# CPU. Prints the interpreter's path on its last line.
#
#   bash bench/peers-setup.sh [VENV]     (default: $WEIR_PEERS_VENV or
#                                         ~/.cache/weir-peers)
set -euo pipefail
venv="${1:-${WEIR_PEERS_VENV:-$HOME/.cache/weir-peers}}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check \
  torch torchvision tensorflow-cpu keras keras-tuner jax optax numpy matplotlib >&2
"$venv/bin/python" -c "import torch, torchvision, tensorflow, keras, keras_tuner, jax, optax" >&2
echo "$venv/bin/python"
