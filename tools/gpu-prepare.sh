#!/usr/bin/env bash
# Maintainers' tooling (see CONTRIBUTING.md).  Prepare, here, what a GPU host
# without this project's requirements needs for tools/gpu-run.sh: Keras and
# the two of its needs that a PyTorch-only image lacks (namex, optree) as
# wheels in .whl/, and MNIST in .gpu/ (with WITH_FASHION=1 also
# Fashion-MNIST, 30 MB, in .gpu/fashion/).  Copy the checkout with both
# folders (git-ignored) to the GPU host; results/weights/ can stay behind.
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
