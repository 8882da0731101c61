#!/usr/bin/env bash
# Prepare, on this machine, what a GPU run needs that the GPU machine lacks:
# Keras and the two of its needs that the GPU image lacks (namex, optree) as
# wheels in .whl/, and MNIST in .gpu/ (with WITH_FASHION=1 also Fashion-MNIST,
# 30 MB, in .gpu/fashion/: leave results/weights/ behind for that call, or the
# tree exceeds the device tool's 64 MiB).
# Both folders are git-ignored and travel with the device tool's `carry`.
set -eo pipefail
cd "$(dirname "$0")/.."
mkdir -p .whl .gpu
cp -f "${HILBERTLIB_MNIST:-../shared/data/mnist.npz}" .gpu/mnist.npz
rm -rf .gpu/fashion
if [ "${WITH_FASHION:-0}" = 1 ]; then
  mkdir -p .gpu/fashion
  cp -f "${HILBERTLIB_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"/*-ubyte.gz .gpu/fashion/
fi
plat=(--platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64)
rm -f .whl/*.whl
for pkg in keras==3.15.1 namex==0.1.0 optree==0.20.0; do
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    "${plat[@]}" -d .whl "$pkg"
done
ls -la .whl .gpu
