"""Ember's CUDA backend for NVIDIA GPUs, built on CuPy.

Core finds it only through its entry point (``[project.entry-points.ember]
cupy = "ember_cuda.plugin"``), exactly as it finds a third party's backend.
CuPy comes with the ``cuda12`` / ``cuda13`` extras; without it (or without a GPU)
this package still imports and registers, and ``ember.cuda.is_available()`` is False.
"""

from __future__ import annotations

from ember_cuda._backend import CupyBackend
from ember_cuda._runtime import unavailable_reason

__all__ = ["CupyBackend", "unavailable_reason"]
__version__ = "0.1.0"
