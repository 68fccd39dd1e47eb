"""``ember.cuda``: whether CUDA devices are usable, without raising when they are not.

>>> ember.cuda.is_available()
False
"""

from __future__ import annotations

from ember._errors import EmberError

__all__ = ["is_available", "device_count"]


def device_count() -> int:
    """How many CUDA devices the active cuda backend sees (0 when none is installed)."""
    from ember._plugins import registry

    try:
        return int(registry.backend("cuda").device_count())
    except (LookupError, EmberError):
        return 0


def is_available() -> bool:
    """True on a machine with an NVIDIA GPU, a driver and ember-cuda installed."""
    return device_count() > 0
