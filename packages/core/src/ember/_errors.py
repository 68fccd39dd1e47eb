"""Ember's own exception types.

Misuse that PyTorch answers with a built-in exception gets the same built-in
here; states only Ember has get an :class:`EmberError` subclass that also
inherits the natural built-in, so ``except LookupError`` keeps working.
"""

from __future__ import annotations

__all__ = [
    "EmberError", "BackendNotFoundError", "DuplicateBackendError", "PluginLoadError",
    "MissingPackageError", "SerializationError",
]


class EmberError(Exception):
    """Base class of every Ember-specific error."""


class BackendNotFoundError(EmberError, LookupError):
    """No backend is registered (or loadable) for a requested device type or name."""


class DuplicateBackendError(EmberError, ValueError):
    """Two plugins registered a backend under the same name for the same device type."""


class PluginLoadError(EmberError, ImportError):
    """A plugin's entry point failed to import or to register its backends."""


class MissingPackageError(EmberError, RuntimeError):
    """A feature needs an Ember distribution that is not installed (``pip install ember-autograd``)."""


class SerializationError(EmberError, ValueError):
    """A file given to ``ember.load`` (or ``ember.safetensors``) is not valid: wrong format,
    truncated, corrupt (checksum mismatch) or malformed."""
