"""Large float32 matrix products: BLAS-bound, so Ember should match NumPy's speed.

The issue's target: Ember's 1024x1024 matmul within 5% of NumPy's. Ember's CPU
backend calls the same OpenBLAS as NumPy; PyTorch uses MKL/oneDNN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from harness import Target, Workload, op_workload

__all__ = ["workloads"]

MATMUL_TARGET = Target("ember", "numpy", 1.05)
# Idle BLAS/OpenMP workers keep spinning after a call (OpenBLAS's for 0.1 s, one core
# busy) and take a core from the next library's sample. Measured at 1024: torch's
# matmul took 31.5 ms right after a NumPy one and 11.8 ms after this pause; NumPy's
# 17.4 ms right after a torch one and 10.1 ms after the pause.
SETTLE_S = 0.12


def _square(n: int) -> Callable[[], list[np.ndarray]]:
    def inputs() -> list[np.ndarray]:
        rng = np.random.default_rng(n)
        return [rng.standard_normal((n, n), dtype=np.float32) for _ in range(2)]

    return inputs


def _matmul(n: int, *, quick: bool, target: Target | None) -> Workload:
    # Sums of n products of N(0, 1) values: entries are ~sqrt(n); different BLAS
    # libraries sum in different orders, so allow float32 rounding on that scale.
    return op_workload(
        f"matmul.{n}", lambda a, b: a @ b, _square(n),
        flops=2.0 * n**3, target=target, rtol=1e-4, atol=1e-4 * n**0.5, quick=quick, settle_s=SETTLE_S,
        description=f"a @ b, {n}x{n} float32",
    )


def workloads() -> list[Workload]:
    """``matmul.1024`` (targeted, in --quick) and ``matmul.2048`` (full runs only)."""
    return [
        _matmul(1024, quick=True, target=MATMUL_TARGET),
        _matmul(2048, quick=False, target=None),
    ]
