"""Fast NumPy nn kernels of the optional tier (being written)."""

from __future__ import annotations

__all__ = ["NNKernels"]


class NNKernels:
    """Optional-tier overrides mixed into NumpyBackend."""
