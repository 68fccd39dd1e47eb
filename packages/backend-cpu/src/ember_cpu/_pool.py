"""Fast NumPy pool kernels of the optional tier (being written)."""

from __future__ import annotations

__all__ = ["PoolKernels"]


class PoolKernels:
    """Optional-tier overrides mixed into NumpyBackend."""
