"""``ArrayAPIBackend``: the required tier implemented over an array-API namespace.

A backend for any library that follows the array-API standard is a subclass
that names the namespace and its device type::

    class MyBackend(ArrayAPIBackend):
        name = device_type = "mydev"
        xp = mylib

Elementwise kernels are bound straight to ``xp``'s functions when the subclass
is created (no per-call indirection). Kernels the standard lacks (strided
views, scatter-add, random numbers) fall back to host round trips through
NumPy: correct everywhere, fast nowhere, and meant to be overridden.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from ember._dtypes import ALL_DTYPES, dtype, int64
from ember.backends._protocol import BINARY_KERNELS, UNARY_KERNELS, Array, Axis, Shape

__all__ = ["ArrayAPIBackend", "SCATTER_UFUNCS"]

#: NumPy ufuncs for the ``reduce`` modes of ``scatter_reduce`` (fmax/fmin would drop NaN).
SCATTER_UFUNCS = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


class ArrayAPIBackend:
    """Base class implementing every required kernel with an array-API namespace ``xp``."""

    name: ClassVar[str] = ""
    device_type: ClassVar[str] = ""
    priority: ClassVar[int] = 0
    indexed: ClassVar[bool] = False
    strided_views: ClassVar[bool] = False
    #: The array-API namespace (``numpy``, ``cupy``, ``array_api_strict``, ...).
    xp: ClassVar[Any] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.xp is None:
            return
        # Bind elementwise kernels to xp's functions unless the subclass (or a
        # base between it and us) defines its own.
        for kernel in (*UNARY_KERNELS, *BINARY_KERNELS):
            if _defined_below(cls, kernel):
                continue
            fn = getattr(cls.xp, kernel, None)
            if fn is not None:
                setattr(cls, kernel, staticmethod(fn))

    def __init__(self) -> None:
        xp = self.xp
        if xp is None:
            raise TypeError(f"{type(self).__name__}: set the class attribute `xp` to an array-API namespace")
        self._native: dict[dtype, Any] = {}
        self._ember: dict[Any, dtype] = {}
        for dt in ALL_DTYPES:
            native = getattr(xp, dt.name, None)
            if native is None:
                continue
            self._native[dt] = native
            self._ember[xp.empty((0,), dtype=native).dtype] = dt
        self.dtypes: frozenset[dtype] = frozenset(self._native)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} for device type {self.device_type!r}>"

    # -- devices and dtypes ------------------------------------------------------
    def device_count(self) -> int:
        return 1

    def _device(self, index: int | None) -> Any:
        """The ``device=`` argument for ``xp`` creation functions (None: the default device)."""
        return None

    def native_dtype(self, dt: dtype) -> Any:
        return self._native[dt]

    def ember_dtype(self, native: Any) -> dtype:
        try:
            return self._ember[native]
        except KeyError:
            raise TypeError(f"{self.name} backend: no Ember dtype for native dtype {native}") from None

    # -- allocation and host copies ------------------------------------------------
    def asarray(self, obj: Any, dt: dtype, index: int | None, copy: bool | None) -> Array:
        return self.xp.asarray(obj, dtype=self._native[dt], device=self._device(index), copy=copy)

    def from_numpy(self, arr: Any, index: int | None) -> Array:
        return self.xp.asarray(arr, device=self._device(index))

    def from_dlpack(self, obj: Any, index: int | None) -> Array:
        return self.xp.from_dlpack(obj)

    def to_numpy(self, x: Array) -> Any:
        try:
            return np.asarray(x)
        except (TypeError, ValueError, RuntimeError):
            return np.from_dlpack(x)

    def empty(self, shape: Shape, dt: dtype, index: int | None) -> Array:
        return self.xp.empty(shape, dtype=self._native[dt], device=self._device(index))

    def full(self, shape: Shape, value: Any, dt: dtype, index: int | None) -> Array:
        return self.xp.full(shape, value, dtype=self._native[dt], device=self._device(index))

    def arange(self, start: float, stop: float, step: float, dt: dtype, index: int | None) -> Array:
        return self.xp.arange(start, stop, step, dtype=self._native[dt], device=self._device(index))

    def linspace(self, start: float, stop: float, num: int, dt: dtype, index: int | None) -> Array:
        return self.xp.linspace(start, stop, num, dtype=self._native[dt], device=self._device(index))

    def eye(self, n: int, m: int, dt: dtype, index: int | None) -> Array:
        return self.xp.eye(n, m, dtype=self._native[dt], device=self._device(index))

    def astype(self, x: Array, dt: dtype) -> Array:
        if self.xp.isdtype(x.dtype, "complex floating") and dt.category < 3:  # ember's D.COMPLEX
            # The standard forbids complex-to-real casts; torch keeps the real part (bool: != 0).
            return self.xp.not_equal(x, 0) if dt.name == "bool" else self.xp.astype(self.xp.real(x), self._native[dt])
        return self.xp.astype(x, self._native[dt], copy=True)

    def copy(self, x: Array) -> Array:
        return self.xp.asarray(x, copy=True)

    def copy_into(self, dst: Array, src: Any) -> None:
        if hasattr(src, "dtype") and src.dtype != dst.dtype:
            src = self.astype(src, self.ember_dtype(dst.dtype))  # the standard casts nothing on write
        dst[...] = src

    def item(self, x: Array) -> Any:
        return self.to_numpy(x).item()

    def tolist(self, x: Array) -> Any:
        return self.to_numpy(x).tolist()

    # -- layout -------------------------------------------------------------------
    def strides(self, x: Array) -> Shape:
        # Non-strided arrays behave as C-contiguous.
        out, step = [], 1
        for n in reversed(x.shape):
            out.append(step)
            step *= max(n, 1)
        return tuple(reversed(out))

    def storage_offset(self, x: Array) -> int:
        return 0

    def data_ptr(self, x: Array) -> int:
        for attr in ("__array_interface__", "__cuda_array_interface__"):
            iface = getattr(x, attr, None)
            if iface is not None:
                return int(iface["data"][0])
        raise RuntimeError(f"data_ptr(): the {self.name} backend's arrays do not expose memory addresses")

    # -- elementwise helpers ---------------------------------------------------------
    def where(self, cond: Array, a: Array, b: Array) -> Array:
        return self.xp.where(cond, a, b)

    def clip(self, x: Array, lo: Any, hi: Any) -> Array:
        if lo is None or hi is None or (not hasattr(lo, "shape") and not hasattr(hi, "shape") and lo <= hi):
            return self.xp.clip(x, lo, hi)
        # min(max(x, lo), hi) gives hi where lo > hi, as torch does; the standard leaves that undefined.
        xp = self.xp
        lo = lo if hasattr(lo, "shape") else xp.full((), lo, dtype=x.dtype)
        hi = hi if hasattr(hi, "shape") else xp.full((), hi, dtype=x.dtype)
        return xp.minimum(xp.maximum(x, lo), hi)

    # -- reductions ------------------------------------------------------------------
    def sum(self, x: Array, axis: Axis, keepdims: bool, dt: dtype) -> Array:
        if self.xp.isdtype(x.dtype, "bool"):  # the standard sums numbers only
            x = self.xp.astype(x, self._native[dt])
        return self.xp.sum(x, axis=axis, keepdims=keepdims, dtype=self._native[dt])

    def prod(self, x: Array, axis: Axis, keepdims: bool, dt: dtype) -> Array:
        return self.xp.prod(x, axis=axis, keepdims=keepdims, dtype=self._native[dt])

    def mean(self, x: Array, axis: Axis, keepdims: bool) -> Array:
        return self.xp.mean(x, axis=axis, keepdims=keepdims)

    # The standard orders numbers only: bool max/min are any/all, bool arg-reductions and sorts go via uint8.
    def max(self, x: Array, axis: Axis, keepdims: bool) -> Array:
        if self.xp.isdtype(x.dtype, "bool"):
            return self.xp.any(x, axis=axis, keepdims=keepdims)
        return self.xp.max(x, axis=axis, keepdims=keepdims)

    def min(self, x: Array, axis: Axis, keepdims: bool) -> Array:
        if self.xp.isdtype(x.dtype, "bool"):
            return self.xp.all(x, axis=axis, keepdims=keepdims)
        return self.xp.min(x, axis=axis, keepdims=keepdims)

    def argmax(self, x: Array, axis: int | None, keepdims: bool) -> Array:
        x = self._orderable(x)
        return self.xp.astype(self.xp.argmax(x, axis=axis, keepdims=keepdims), self._native[int64])

    def argmin(self, x: Array, axis: int | None, keepdims: bool) -> Array:
        x = self._orderable(x)
        return self.xp.astype(self.xp.argmin(x, axis=axis, keepdims=keepdims), self._native[int64])

    def _orderable(self, x: Array) -> Array:
        return self.xp.astype(x, self.xp.uint8) if self.xp.isdtype(x.dtype, "bool") else x

    def all(self, x: Array, axis: Axis, keepdims: bool) -> Array:
        return self.xp.all(x, axis=axis, keepdims=keepdims)

    def any(self, x: Array, axis: Axis, keepdims: bool) -> Array:
        return self.xp.any(x, axis=axis, keepdims=keepdims)

    # -- scans and sorting -------------------------------------------------------------
    def cumulative_sum(self, x: Array, axis: int, dt: dtype) -> Array:
        return self.xp.cumulative_sum(x, axis=axis, dtype=self._native[dt])

    def cumulative_prod(self, x: Array, axis: int, dt: dtype) -> Array:
        return self.xp.cumulative_prod(x, axis=axis, dtype=self._native[dt])

    def sort(self, x: Array, axis: int, descending: bool, stable: bool) -> Array:
        if descending:  # the standard's descending sort puts NaN last; torch puts it first
            return self.take_along_axis(x, self.argsort(x, axis, True, stable), axis)
        if self.xp.isdtype(x.dtype, "bool"):
            return self.xp.astype(self.xp.sort(self._orderable(x), axis=axis, stable=stable), x.dtype)
        return self.xp.sort(x, axis=axis, stable=stable)

    def argsort(self, x: Array, axis: int, descending: bool, stable: bool) -> Array:
        xp, i64 = self.xp, self._native[int64]
        x = self._orderable(x)
        if not descending:
            return xp.astype(xp.argsort(x, axis=axis, stable=stable), i64)
        # A stable ascending sort of an order-reversing key is the stable descending sort.
        # ~x reverses integers without overflow; floats sort on -x, then NaN moves first.
        if xp.isdtype(x.dtype, "bool"):
            return xp.astype(xp.argsort(xp.logical_not(x), axis=axis, stable=True), i64)
        if xp.isdtype(x.dtype, "integral"):
            return xp.astype(xp.argsort(xp.bitwise_invert(x), axis=axis, stable=True), i64)
        nan = xp.isnan(x)
        order = xp.argsort(xp.negative(x), axis=axis, stable=True)
        if bool(xp.any(nan)):  # second stable pass on "is not NaN" (least significant key first)
            order = xp.take_along_axis(
                order, xp.argsort(self._orderable(xp.take_along_axis(xp.logical_not(nan), order, axis=axis)), axis=axis, stable=True),
                axis=axis,
            )
        return xp.astype(order, i64)

    def searchsorted(self, sorted_seq: Array, values: Array, side: str) -> Array:
        return self.xp.astype(self.xp.searchsorted(sorted_seq, values, side=side), self._native[int64])

    def unique(self, x: Array) -> tuple[Array, Array, Array]:
        res = self.xp.unique_all(self.xp.reshape(x, (-1,)))
        i64 = self._native[int64]
        return res.values, self.xp.astype(res.inverse_indices, i64), self.xp.astype(res.counts, i64)

    # -- linear algebra ----------------------------------------------------------------
    def matmul(self, a: Array, b: Array) -> Array:
        return self.xp.matmul(a, b)

    def linalg_inv(self, x: Array) -> Array:
        return self.xp.linalg.inv(x)

    def linalg_det(self, x: Array) -> Array:
        return self.xp.linalg.det(x)

    def linalg_solve(self, a: Array, b: Array) -> Array:
        return self.xp.linalg.solve(a, b)

    def linalg_svd(self, x: Array, full_matrices: bool) -> tuple[Array, Array, Array]:
        return tuple(self.xp.linalg.svd(x, full_matrices=full_matrices))

    def linalg_qr(self, x: Array, mode: str) -> tuple[Array, Array]:
        return tuple(self.xp.linalg.qr(x, mode=mode))

    def linalg_cholesky(self, x: Array, upper: bool) -> Array:
        return self.xp.linalg.cholesky(x, upper=upper)

    def linalg_eigh(self, x: Array, uplo: str) -> tuple[Array, Array]:
        if uplo == "U":  # the standard reads the lower triangle: mirror the upper one into it
            x = self.xp.conj(self.xp.matrix_transpose(x))
        return tuple(self.xp.linalg.eigh(x))

    # -- shape and views -----------------------------------------------------------------
    def reshape(self, x: Array, shape: Shape, copy: bool | None) -> Array:
        return self.xp.reshape(x, shape, copy=copy)

    def permute_dims(self, x: Array, axes: Shape) -> Array:
        return self.xp.permute_dims(x, axes)

    def broadcast_to(self, x: Array, shape: Shape) -> Array:
        return self.xp.broadcast_to(x, shape)

    def as_strided(self, x: Array, shape: Shape, strides: Shape, offset: int) -> Array:
        # No strides in the standard: build the window on the host and copy it back.
        host = np.ascontiguousarray(self.to_numpy(x)).reshape(-1)
        item = host.itemsize
        view = np.lib.stride_tricks.as_strided(
            host[offset:], shape=shape, strides=tuple(s * item for s in strides)
        )
        return self.xp.asarray(np.array(view), device=getattr(x, "device", None))

    def concat(self, arrays: Sequence[Array], axis: int) -> Array:
        return self.xp.concat(list(arrays), axis=axis)

    def stack(self, arrays: Sequence[Array], axis: int) -> Array:
        return self.xp.stack(list(arrays), axis=axis)

    # -- indexing ---------------------------------------------------------------------------
    def getitem(self, x: Array, key: tuple[Any, ...]) -> Array:
        key = (*key, Ellipsis)  # the standard wants every axis indexed; core's keys may stop early
        try:
            return x[key]
        except (IndexError, TypeError, ValueError):
            if not any(hasattr(k, "shape") for k in key):
                raise
        # Array indices beyond the standard's (one 1-D integer array): index on the host.
        host = self.to_numpy(x)[tuple(self.to_numpy(k) if hasattr(k, "shape") else k for k in key)]
        return self.xp.asarray(np.asarray(host), device=getattr(x, "device", None))

    def setitem(self, x: Array, key: tuple[Any, ...], value: Any) -> None:
        key = (*key, Ellipsis)
        try:
            x[key] = value
            return
        except (IndexError, TypeError, ValueError):
            pass  # array or None keys the library cannot write through: write on the host
        host = np.array(self.to_numpy(x))
        host[tuple(self.to_numpy(k) if hasattr(k, "shape") else k for k in key)] = (
            self.to_numpy(value) if hasattr(value, "shape") else value
        )
        x[...] = self.xp.asarray(host, device=getattr(x, "device", None))

    def nonzero(self, x: Array) -> tuple[Array, ...]:
        return tuple(self.xp.astype(i, self._native[int64]) for i in self.xp.nonzero(x))

    def take(self, x: Array, indices: Array, axis: int) -> Array:
        if indices.ndim == 1:
            return self.xp.take(x, indices, axis=axis)
        # The standard's take wants 1-D indices: take flat, then give the indices' shape back.
        flat = self.xp.take(x, self.xp.reshape(indices, (-1,)), axis=axis)
        return self.xp.reshape(flat, (*x.shape[:axis], *indices.shape, *x.shape[axis + 1:]))

    def take_along_axis(self, x: Array, indices: Array, axis: int) -> Array:
        return self.xp.take_along_axis(x, indices, axis=axis)

    def scatter_add(self, x: Array, axis: int, indices: Array, src: Array) -> None:
        # The standard has no scatter: accumulate on the host, write back in place.
        host = np.array(self.to_numpy(x))
        idx = list(np.indices(indices.shape, sparse=True))
        idx[axis] = self.to_numpy(indices)
        np.add.at(host, tuple(idx), self.to_numpy(src))
        x[...] = self.xp.asarray(host, device=getattr(x, "device", None))

    def scatter_reduce(self, x: Array, axis: int, indices: Array, src: Array, reduce: str) -> None:
        host = np.array(self.to_numpy(x))
        idx = list(np.indices(indices.shape, sparse=True))
        idx[axis] = self.to_numpy(indices)
        SCATTER_UFUNCS[reduce].at(host, tuple(idx), self.to_numpy(src))
        x[...] = self.xp.asarray(host, device=getattr(x, "device", None))

    # -- random numbers ----------------------------------------------------------------------
    # The standard has no RNG: sample with NumPy's PCG64 on the host and copy over.
    def new_generator(self, seed: int, index: int | None) -> Any:
        return np.random.Generator(np.random.PCG64(seed))

    def uniform(self, gen: Any, shape: Shape, dt: dtype, index: int | None) -> Array:
        sample = gen.random(shape, dtype=np.float64 if dt.itemsize == 8 else np.float32)
        return self.asarray(sample, dt, index, None)

    def normal(self, gen: Any, shape: Shape, dt: dtype, index: int | None) -> Array:
        sample = gen.standard_normal(shape, dtype=np.float64 if dt.itemsize == 8 else np.float32)
        return self.asarray(sample, dt, index, None)

    def integers(self, gen: Any, low: int, high: int, shape: Shape, dt: dtype, index: int | None) -> Array:
        return self.asarray(gen.integers(low, high, size=shape, dtype=np.int64), dt, index, None)


def _defined_below(cls: type, attr: str) -> bool:
    """Whether a class between ``cls`` and ArrayAPIBackend (inclusive of cls) defines ``attr``."""
    for klass in cls.__mro__:
        if klass is ArrayAPIBackend:
            return False
        if attr in klass.__dict__:
            return True
    return False

