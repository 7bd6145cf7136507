#!/usr/bin/env bash
# Installs what building and testing Weir needs on Debian 12, and nothing
# that is already there. Uses sudo when not root. Extra package names given
# as arguments are installed too (`make fuzz` adds clang's fuzzer runtime).
set -euo pipefail

packages=(
  cmake ninja-build g++ python3 python3-numpy pkg-config ccache libpng-dev
  libgtest-dev python3-dev pybind11-dev
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 lld-22
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
  --no-install-recommends "${missing[@]}" >/dev/null
