"""An example third-party Ember backend built on array-api-strict (device type ``"strict"``)."""

from __future__ import annotations

from ember_arrayapi.plugin import StrictBackend

__all__ = ["StrictBackend"]
__version__ = "0.1.0"
