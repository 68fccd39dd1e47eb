"""Backends: the protocol, the array-API base class, and choosing among plugins.

>>> import ember.backends
>>> ember.backends.available()
{'cpu': ['numpy']}
>>> ember.backends.use("cpu", "numpy")
"""

from __future__ import annotations

from typing import Any

from ember._plugins import PluginFailure, registry
from ember.backends._array_api import ArrayAPIBackend
from ember.backends._optional import OPTIONAL_KERNELS, OptionalKernel, kernel, optional_kernel
from ember.backends._protocol import BINARY_KERNELS, REQUIRED_KERNELS, UNARY_KERNELS, Backend

__all__ = [
    "Backend", "ArrayAPIBackend", "REQUIRED_KERNELS", "UNARY_KERNELS", "BINARY_KERNELS",
    "OPTIONAL_KERNELS", "OptionalKernel", "optional_kernel", "kernel",
    "PluginFailure", "use", "get_backend", "available", "failures", "register_plugin",
    "unregister_plugin",
]


def use(device_type: str, name: str) -> None:
    """Make backend ``name`` the one used for new tensors on ``device_type``.

    Overrides the ``EMBER_BACKEND_<DEVICE_TYPE>`` environment variable. Tensors
    that already exist keep the backend they were made with.

    Raises:
        BackendNotFoundError: no such backend (the message lists those available).
        PluginLoadError: the plugin providing it failed to load (chained to the cause).
    """
    registry.use(device_type, name)


def get_backend(device_type: str) -> Any:
    """The active backend instance for ``device_type`` (loading plugins if needed)."""
    return registry.backend(device_type)


def available() -> dict[str, list[str]]:
    """Registered backend names by device type, e.g. ``{'cpu': ['numpy']}``."""
    return registry.available()


def failures() -> list[PluginFailure]:
    """Plugins that failed to load or register, with their errors."""
    registry.ensure_loaded()
    return list(registry.failures)


def register_plugin(plugin: Any, name: str | None = None) -> None:
    """Register a plugin object directly, without an entry point (tests, notebooks).

    Its ``ember_register_backends`` hook runs at once; failures are recorded
    like an entry point's.
    """
    registry.register_plugin(plugin, name)


def unregister_plugin(name: str) -> None:
    """Remove a plugin registered by name, and its backends."""
    registry.unregister_plugin(name)
