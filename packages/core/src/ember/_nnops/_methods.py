"""Tensor methods for neural-network operations: ``x.softmax(dim)``, ``x.log_softmax(dim)``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ember._dtypes import dtype as DType
from ember._nnops.activation import softmax_like
from ember._tensor_base import TensorBase

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = []

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional). softmax and
# log_softmax are not listed: ember.softmax is the module function with F.softmax's signature.
FUNCTIONS: tuple[str, ...] = ()


class NNMixin(TensorBase):
    """Neural-network methods of Tensor."""

    __slots__ = ()

    def softmax(self, dim: Any, dtype: DType | None = None) -> Tensor:
        """``exp(self) / exp(self).sum(dim)``, computed stably; ``dtype`` casts first.

        >>> ember.tensor([0.0, 0.0]).softmax(0)
        tensor([0.5000, 0.5000])
        """
        if dim is None:
            raise TypeError("softmax(): argument 'dim' must be int, not NoneType")
        return softmax_like(self, dim, dtype, "softmax", "softmax")

    def log_softmax(self, dim: Any, dtype: DType | None = None) -> Tensor:
        """``log(softmax(self, dim))``, computed stably."""
        if dim is None:
            raise TypeError("log_softmax(): argument 'dim' must be int, not NoneType")
        return softmax_like(self, dim, dtype, "log_softmax", "log_softmax")
