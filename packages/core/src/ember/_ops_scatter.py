"""Scatter and gather: index_select, gather, scatter, index_add, index_put_, masked ops (being written)."""

from __future__ import annotations

from ember._tensor_base import TensorBase

__all__: list[str] = []  # what `import ember` re-exports

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional).
FUNCTIONS: tuple[str, ...] = ()


class ScatterMixin(TensorBase):
    """Scatter and gather methods of Tensor."""

    __slots__ = ()
