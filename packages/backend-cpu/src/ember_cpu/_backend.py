"""The NumPy backend: ArrayAPIBackend over ``numpy`` with strided views and fast paths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from ember import dtype
from ember.backends import BINARY_KERNELS, UNARY_KERNELS, ArrayAPIBackend
from ember.backends._array_api import SCATTER_UFUNCS
from ember_cpu._conv import ConvKernels
from ember_cpu._malloc import tune_malloc
from ember_cpu._nn import NNKernels
from ember_cpu._optim import OptimKernels
from ember_cpu._pool import PoolKernels
from ember_cpu._quiet import enter_quiet, leave_quiet, quiet, ufunc_kernel

__all__ = ["NumpyBackend"]

# Kernels that never raise a floating-point error skip the error-state switch (see _quiet).
# Comparisons and maximum/minimum are not among them: casting a Python scalar such as 1e300
# to the array's dtype inside the ufunc can overflow.
_rint = ufunc_kernel(np.rint, ignore_errors=False)  # never warns: rint of inf/nan is itself
_NEVER_WARN = frozenset({
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_invert", "bitwise_left_shift", "bitwise_right_shift", "isnan", "isinf",
    "isfinite", "negative", "conj",
})


class NumpyBackend(ConvKernels, PoolKernels, NNKernels, OptimKernels, ArrayAPIBackend):
    """Ember's CPU backend. Arrays are ``numpy.ndarray``; views share memory."""

    name: ClassVar[str] = "numpy"
    device_type: ClassVar[str] = "cpu"
    strided_views: ClassVar[bool] = True
    xp: ClassVar[Any] = np

    def __init__(self) -> None:
        super().__init__()
        tune_malloc()  # once per process, when the backend is first used (see _malloc)

    # Ufunc reductions skip np.sum's Python wrapper (a microsecond per call).
    def sum(self, x: np.ndarray, axis: Any, keepdims: bool, dt: dtype) -> np.ndarray:
        token = enter_quiet()  # inlined: this is the hottest reduction
        try:
            return np.add.reduce(x, axis=axis, dtype=self._native[dt], out=..., keepdims=keepdims)
        finally:
            leave_quiet(token)

    @quiet
    def prod(self, x: np.ndarray, axis: Any, keepdims: bool, dt: dtype) -> np.ndarray:
        return np.multiply.reduce(x, axis=axis, dtype=self._native[dt], out=..., keepdims=keepdims)

    @quiet
    def mean(self, x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        return np.mean(x, axis=axis, keepdims=keepdims)

    def max(self, x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        return np.maximum.reduce(x, axis=axis, out=..., keepdims=keepdims)

    def min(self, x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        return np.minimum.reduce(x, axis=axis, out=..., keepdims=keepdims)

    def all(self, x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        return np.logical_and.reduce(x, axis=axis, dtype=np.bool_, out=..., keepdims=keepdims)

    def any(self, x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        return np.logical_or.reduce(x, axis=axis, dtype=np.bool_, out=..., keepdims=keepdims)

    def argmax(self, x: np.ndarray, axis: int | None, keepdims: bool) -> np.ndarray:
        return np.asarray(np.argmax(x, axis=axis, keepdims=keepdims), dtype=np.int64)

    def argmin(self, x: np.ndarray, axis: int | None, keepdims: bool) -> np.ndarray:
        return np.asarray(np.argmin(x, axis=axis, keepdims=keepdims), dtype=np.int64)

    def matmul(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        token = enter_quiet()
        try:
            return np.matmul(a, b, out=...)
        finally:
            leave_quiet(token)

    # Not ufuncs in NumPy; these spellings always return arrays.
    def round(self, x: np.ndarray) -> np.ndarray:
        # rint rounds half to even, like torch.round; integers are already round (and keep their dtype).
        return _rint(x) if x.dtype.kind in "fc" else x.copy()

    real = staticmethod(np.real)
    imag = staticmethod(np.imag)

    # -- allocation and host copies -----------------------------------------------
    @quiet
    def asarray(self, obj: Any, dt: dtype, index: int | None, copy: bool | None) -> np.ndarray:
        return np.array(obj, dtype=self._native[dt], copy=copy)

    def full(self, shape: tuple[int, ...], value: Any, dt: dtype, index: int | None) -> np.ndarray:
        # np.zeros and ndarray.fill are C calls; np.full's Python wrapper costs 0.5 us more.
        if type(value) is int and value == 0:
            return np.zeros(shape, dtype=self._native[dt])
        out = np.empty(shape, dtype=self._native[dt])
        out.fill(value)
        return out

    def from_numpy(self, arr: Any, index: int | None) -> np.ndarray:
        return arr

    def to_numpy(self, x: np.ndarray) -> np.ndarray:
        return x

    @quiet
    def astype(self, x: np.ndarray, dt: dtype) -> np.ndarray:
        return x.astype(self._native[dt])

    def copy(self, x: np.ndarray) -> np.ndarray:
        return np.array(x, order="C", copy=True)

    @quiet
    def copy_into(self, dst: np.ndarray, src: Any) -> None:
        np.copyto(dst, src, casting="unsafe")

    def item(self, x: np.ndarray) -> Any:
        return x.item()

    def tolist(self, x: np.ndarray) -> Any:
        return x.tolist()

    # -- layout ---------------------------------------------------------------------
    def strides(self, x: np.ndarray) -> tuple[int, ...]:
        if not x.size and not any(x.strides):
            # NumPy gives a freshly allocated empty array all-zero strides; torch reports
            # C-contiguous ones. (Empty views keep their base's strides in both.)
            return super().strides(x)
        size = x.itemsize
        return tuple(s // size for s in x.strides)

    def storage_offset(self, x: np.ndarray) -> int:
        return (_address(x) - _address(_storage(x))) // x.itemsize

    def data_ptr(self, x: np.ndarray) -> int:
        return _address(x)

    # -- shape and views ----------------------------------------------------------------
    def reshape(self, x: np.ndarray, shape: tuple[int, ...], copy: bool | None) -> np.ndarray:
        if copy is None or (copy is False and x.flags.c_contiguous):
            return x.reshape(shape)  # the method skips np.reshape's wrapper (0.6 us)
        return np.reshape(x, shape, copy=copy)

    def permute_dims(self, x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
        return x.transpose(axes)

    def as_strided(self, x: np.ndarray, shape: tuple[int, ...], strides: tuple[int, ...], offset: int) -> np.ndarray:
        root = _storage(x)
        size = x.itemsize
        start = _address(x) - _address(root) + offset * size
        return np.ndarray(
            shape, dtype=x.dtype, buffer=root, offset=start, strides=tuple(s * size for s in strides)
        )

    def broadcast_to(self, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        # np.broadcast_to is read-only; torch lets fill_ and non-overlapping slices write through
        # an expanded view (core refuses overlapping writes), so build a writable view instead.
        view = np.broadcast_to(x, shape)  # also checks the shapes
        if not view.size:
            return view
        # torch's expand strides: a dim keeps its stride unless it grows from 1 (then 0); NumPy
        # would also give 0 to size-1 dims that stay size 1.
        lead = len(shape) - x.ndim
        own = self.strides(x)
        strides = (0,) * lead + tuple(
            st if n == t else 0 for n, st, t in zip(x.shape, own, shape[lead:], strict=True)
        )
        try:
            return self.as_strided(x, shape, strides, 0)
        except (ValueError, TypeError, BufferError):  # storage that exports no buffer: stay read-only
            return view

    def concat(self, arrays: Sequence[np.ndarray], axis: int) -> np.ndarray:
        return np.concatenate(arrays, axis=axis)

    def stack(self, arrays: Sequence[np.ndarray], axis: int) -> np.ndarray:
        return np.stack(arrays, axis=axis)

    # -- indexing -------------------------------------------------------------------------
    @quiet
    def setitem(self, x: np.ndarray, key: tuple[Any, ...], value: Any) -> None:
        x[key] = value

    def getitem(self, x: np.ndarray, key: tuple[Any, ...]) -> np.ndarray:
        # The trailing Ellipsis makes integer-only keys give 0-d views, not NumPy scalars.
        full = (*key, Ellipsis)
        return x[full]

    def nonzero(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(i.astype(np.int64, copy=False) for i in np.nonzero(x))

    def scatter_add(self, x: np.ndarray, axis: int, indices: np.ndarray, src: np.ndarray) -> None:
        idx: list[Any] = list(np.indices(indices.shape, sparse=True))
        idx[axis] = indices
        np.add.at(x, tuple(idx), src)

    @quiet
    def scatter_reduce(self, x: np.ndarray, axis: int, indices: np.ndarray, src: np.ndarray, reduce: str) -> None:
        idx: list[Any] = list(np.indices(indices.shape, sparse=True))
        idx[axis] = indices
        SCATTER_UFUNCS[reduce].at(x, tuple(idx), src)

    # -- random numbers --------------------------------------------------------------------
    def integers(self, gen: Any, low: int, high: int, shape: tuple[int, ...], dt: dtype, index: int | None) -> np.ndarray:
        return gen.integers(low, high, size=shape, dtype=np.int64).astype(self._native[dt], copy=False)


for _kernel in (*UNARY_KERNELS, *BINARY_KERNELS):
    _fn = getattr(np, _kernel)
    if isinstance(_fn, np.ufunc):
        setattr(NumpyBackend, _kernel, staticmethod(ufunc_kernel(_fn, _kernel not in _NEVER_WARN)))


def _address(x: np.ndarray) -> int:
    return int(x.__array_interface__["data"][0])


def _storage(x: np.ndarray) -> np.ndarray:
    """The ndarray that owns ``x``'s memory (the root of its ``base`` chain)."""
    while isinstance(x.base, np.ndarray):
        x = x.base
    return x


# Scans and linear algebra can overflow or divide by zero inside NumPy: silence them per call.
for _kernel in (
    "cumulative_sum", "cumulative_prod", "linalg_inv", "linalg_det", "linalg_solve", "linalg_svd",
    "linalg_qr", "linalg_cholesky", "linalg_eigh",
):
    setattr(NumpyBackend, _kernel, quiet(getattr(ArrayAPIBackend, _kernel)))
