"""``nn.Parameter`` and ``nn.Buffer``: tensors a Module registers when they are assigned to it.

>>> p = nn.Parameter(ember.zeros(2))
>>> p
Parameter containing:
tensor([0., 0.], requires_grad=True)
"""

from __future__ import annotations

from typing import Any

import ember
from ember._tensor import Tensor
from ember._tensor_base import wrap

__all__ = ["Parameter", "Buffer"]


def _alias(data: Tensor | None, cls: type, op: str) -> Any:
    """A new ``cls`` tensor sharing ``data``'s memory, outside any autograd graph."""
    if data is None:
        data = ember.empty(0)
    elif not isinstance(data, Tensor):
        raise TypeError(f"{op}(): argument 'data' must be Tensor, not {type(data).__name__}")
    t: Any = wrap(data._data, data._dtype, data._device, data._backend)
    t.__class__ = cls  # the subclasses add no storage, so the layouts match
    return t


class Parameter(Tensor):
    """A tensor that a Module registers as a learnable parameter when assigned as an attribute.

    Shares memory with ``data`` and is a leaf that requires grad unless ``requires_grad=False``.
    """

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        p = _alias(data, cls, "Parameter")
        if requires_grad:
            p.requires_grad_(True)
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # all work happens in __new__

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__


class Buffer(Tensor):
    """A tensor that a Module registers as a buffer (state that is not a parameter) when assigned.

    ``persistent=False`` keeps it out of ``state_dict()``.
    """

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Buffer:
        b = _alias(data, Buffer if persistent else _NonPersistentBuffer, "Buffer")
        if data is not None and data.requires_grad:
            b.requires_grad_(True)
        return b

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True) -> None:
        pass  # all work happens in __new__

    @property
    def persistent(self) -> bool:
        """Whether the buffer belongs in its module's ``state_dict()``."""
        return True


class _NonPersistentBuffer(Buffer):
    """A :class:`Buffer` made with ``persistent=False``."""

    __slots__ = ()

    @property
    def persistent(self) -> bool:
        return False
