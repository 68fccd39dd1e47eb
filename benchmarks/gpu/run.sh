#!/usr/bin/env bash
# Scripted GPU run, offline: install Ember's packages from this tree without any network, run the
# cuda tests (nox -s cuda's selection: the conformance kit on the GPU and the device-parametrized
# autograd/nn/optim tests) and the GPU benchmarks against PyTorch CUDA, writing everything to one folder.
#
#   bash benchmarks/gpu/run.sh [OUT_DIR]      (PYTHON=... picks the interpreter; it needs numpy,
#                                              pluggy, pytest, cupy-cuda12x and torch with CUDA)
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
OUT="${1:-$ROOT/benchmarks/gpu/results-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
PY="${PYTHON:-python3}"
PACKAGES=(core backend-cpu autograd nn optim data backend-cuda)

{
  echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD 2>/dev/null || echo 'no git')"
  nvidia-smi || echo "nvidia-smi: not found"
  "$PY" -c "import sys, numpy; print('python', sys.version.split()[0], 'numpy', numpy.__version__)"
  "$PY" -c "import cupy; print('cupy', cupy.__version__)" || echo "cupy: not importable"
  "$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())" || echo "torch: not importable"
} > "$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"

# 1. Install: editable, no dependencies, no build isolation (nothing is downloaded). Without a
#    build backend (hatchling) on the machine, fall back to running from the tree: the src folders
#    on PYTHONPATH plus a .dist-info per package, so the `ember` entry points are found.
installed=1
for pkg in "${PACKAGES[@]}"; do
  [ -d "packages/$pkg" ] || continue
  if ! "$PY" -m pip install --no-index --no-deps --no-build-isolation -q -e "packages/$pkg" >> "$OUT/install.log" 2>&1; then
    installed=0
    break
  fi
done
if [ "$installed" = 0 ]; then
  echo "pip could not install offline (see install.log); running from the tree" | tee -a "$OUT/install.log"
  SITE="$OUT/tree-site"
  "$PY" benchmarks/gpu/tree_env.py "$SITE" "${PACKAGES[@]}" >> "$OUT/install.log" 2>&1
  export PYTHONPATH="$SITE:$(for p in "${PACKAGES[@]}"; do [ -d "packages/$p/src" ] && printf '%s:' "$ROOT/packages/$p/src"; done)${PYTHONPATH:-}"
fi
"$PY" -c "import ember, ember_cuda; print('ember.cuda.is_available():', ember.cuda.is_available(), ember_cuda.unavailable_reason() or '')" | tee -a "$OUT/machine.txt"

# 2. Tests: what `nox -s cuda` runs (nox needs the network to build its environments).
TEST_DIRS=()
for pkg in "${PACKAGES[@]}"; do [ -d "packages/$pkg/tests" ] && TEST_DIRS+=("packages/$pkg/tests"); done
"$PY" -m pytest -p no:cacheprovider "${TEST_DIRS[@]}" tests -m cuda -rs -q > "$OUT/tests-cuda.txt" 2>&1
tests_rc=$?
tail -n 15 "$OUT/tests-cuda.txt"

# 3. Benchmarks: Ember vs PyTorch CUDA, medians of device-synchronised steps, warm-up excluded.
"$PY" benchmarks/gpu/bench_gpu.py --out "$OUT/bench-gpu.jsonl" 2>&1 | tee "$OUT/bench-gpu.txt"
bench_rc=${PIPESTATUS[0]}

echo "tests rc=$tests_rc bench rc=$bench_rc; results in $OUT" | tee "$OUT/summary.txt"
[ "$tests_rc" = 0 ] && [ "$bench_rc" = 0 ]
