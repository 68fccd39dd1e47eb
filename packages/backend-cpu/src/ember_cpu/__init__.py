"""Ember's CPU backend, built on NumPy.

Core finds it only through its entry point (``[project.entry-points.ember]
numpy = "ember_cpu.plugin"``), exactly as it finds a third party's backend.
"""

from __future__ import annotations

from ember_cpu._backend import NumpyBackend

__all__ = ["NumpyBackend"]
__version__ = "0.1.0"
