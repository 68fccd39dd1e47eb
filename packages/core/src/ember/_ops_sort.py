"""Sorting and order statistics: sort, argsort, topk, median, unique (being written)."""

from __future__ import annotations

from ember._tensor_base import TensorBase

__all__: list[str] = []  # what `import ember` re-exports

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional).
FUNCTIONS: tuple[str, ...] = ()


class SortMixin(TensorBase):
    """Sorting methods of Tensor."""

    __slots__ = ()
