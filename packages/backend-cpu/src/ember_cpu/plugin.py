"""The pluggy plugin module named by ember-cpu's entry point."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ember
from ember_cpu._backend import NumpyBackend


@ember.hookimpl
def ember_register_backends(register: Callable[[Any], None]) -> None:
    """Register the NumPy backend for device type ``cpu``."""
    register(NumpyBackend)
