"""Matrix products: ``matmul`` with PyTorch's rules, and the stricter ``mm`` and ``bmm``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._elementwise import broadcast_for
from ember._special_cases import no_kernel
from ember._tensor_base import TensorBase, device_error, like

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = []  # what `import ember` re-exports

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional).
FUNCTIONS: tuple[str, ...] = (
    "matmul", "mm", "bmm",
)


def matmul(a: TensorBase, b: TensorBase, op: str = "matmul") -> Tensor:
    """Matrix product with broadcasting of batch dimensions (PyTorch's matmul)."""
    if not isinstance(b, TensorBase):
        raise TypeError(f"{op}(): argument 'other' must be Tensor, not {type(b).__name__}")
    if b._device is not a._device or b._backend is not a._backend:
        raise device_error(op, a, b)
    sa, sb = a._data.shape, b._data.shape
    if not sa or not sb:
        raise RuntimeError(f"{op}(): both arguments to matmul need to be at least 1D, but they are {len(sa)}D and {len(sb)}D")
    if a._dtype is not b._dtype:
        raise RuntimeError(f"{op}(): expected m1 and m2 to have the same dtype, but got: {a._dtype} != {b._dtype}")
    if a._dtype is D.bool_:
        raise no_kernel(op, a._dtype)
    if sa[-1] != sb[-2 if len(sb) > 1 else 0]:
        m1 = "x".join(map(str, sa if len(sa) > 1 else (1, sa[0])))
        m2 = "x".join(map(str, sb if len(sb) > 1 else (sb[0], 1)))
        raise RuntimeError(f"{op}(): mat1 and mat2 shapes cannot be multiplied ({m1} and {m2})")
    if len(sa) > 2 or len(sb) > 2:
        broadcast_for(op, tuple(sa[:-2]), tuple(sb[:-2]))
    return like(a, a._backend.matmul(a._data, b._data))


def mm(a: TensorBase, mat2: Any) -> Tensor:
    """Product of two 2-D matrices (no broadcasting)."""
    if not isinstance(mat2, TensorBase):
        raise TypeError(f"mm(): argument 'mat2' must be Tensor, not {type(mat2).__name__}")
    if a._data.ndim != 2:
        raise RuntimeError(f"mm(): self must be a matrix, got a {a._data.ndim}-D tensor")
    if mat2._data.ndim != 2:
        raise RuntimeError(f"mm(): mat2 must be a matrix, got a {mat2._data.ndim}-D tensor")
    return matmul(a, mat2, "mm")


def bmm(a: TensorBase, mat2: Any) -> Tensor:
    """Batched product of two 3-D tensors with equal batch sizes."""
    if not isinstance(mat2, TensorBase):
        raise TypeError(f"bmm(): argument 'mat2' must be Tensor, not {type(mat2).__name__}")
    if a._data.ndim != 3 or mat2._data.ndim != 3:
        raise RuntimeError(f"bmm(): batch1 and batch2 must be 3D tensors, got {a._data.ndim}D and {mat2._data.ndim}D")
    if a._data.shape[0] != mat2._data.shape[0]:
        raise RuntimeError(f"bmm(): batch1 and batch2 must have the same batch size, got {a._data.shape[0]} and {mat2._data.shape[0]}")
    return matmul(a, mat2, "bmm")


class LinalgMixin(TensorBase):
    """Linear-algebra methods of Tensor (matmul itself is with the arithmetic operators)."""

    __slots__ = ()
