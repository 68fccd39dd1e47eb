"""Fast NumPy conv kernels of the optional tier (being written)."""

from __future__ import annotations

__all__ = ["ConvKernels"]


class ConvKernels:
    """Optional-tier overrides mixed into NumpyBackend."""
