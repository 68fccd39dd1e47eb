"""Tensor methods for neural-network operations (``x.softmax(dim)``, ...) (being written)."""

from __future__ import annotations

from ember._tensor_base import TensorBase

__all__: list[str] = []

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional).
FUNCTIONS: tuple[str, ...] = ()


class NNMixin(TensorBase):
    """Neural-network methods of Tensor."""

    __slots__ = ()
