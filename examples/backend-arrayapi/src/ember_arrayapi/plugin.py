"""The plugin module named by the ``ember`` entry point: one backend class and one hook.

array-api-strict implements the array-API standard and nothing more, which makes it a
good test of what :class:`ember.backends.ArrayAPIBackend` gives for free: every
required kernel comes from the base class; this class names the namespace, its device
type and its capabilities, and overrides the few kernels the standard leaves out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import array_api_strict as xp

import ember
from ember.backends import ArrayAPIBackend


def _ordered(compare: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``compare`` that also orders bool operands (False < True), which the standard leaves out."""

    def kernel(a: Any, b: Any) -> Any:
        if a.dtype == xp.bool:
            a = xp.astype(a, xp.uint8)
            b = xp.astype(b, xp.uint8) if hasattr(b, "dtype") else int(b)
        return compare(a, b)

    kernel.__name__ = compare.__name__
    return kernel


class StrictBackend(ArrayAPIBackend):
    """array-api-strict arrays on Ember's device type ``"strict"``."""

    name: ClassVar[str] = "array-api-strict"
    device_type: ClassVar[str] = "strict"
    # array-api-strict has no strides: views are copies, and Ember refuses writes through them.
    strided_views: ClassVar[bool] = False
    xp: ClassVar[Any] = xp

    # Overrides: a method with a kernel's name replaces the base class's (or the
    # optional tier's reference) for this backend only.
    less = staticmethod(_ordered(xp.less))
    less_equal = staticmethod(_ordered(xp.less_equal))
    greater = staticmethod(_ordered(xp.greater))
    greater_equal = staticmethod(_ordered(xp.greater_equal))


@ember.hookimpl
def ember_register_backends(register: Callable[[Any], None]) -> None:
    """Register :class:`StrictBackend` for device type ``"strict"``."""
    register(StrictBackend)
