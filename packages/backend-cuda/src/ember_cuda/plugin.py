"""The pluggy plugin module named by ember-cuda's entry point."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ember
from ember_cuda._backend import CupyBackend


@ember.hookimpl
def ember_register_backends(register: Callable[[Any], None]) -> None:
    """Register the CuPy backend for device type ``cuda`` (also without CuPy: it then reports no device)."""
    register(CupyBackend)
