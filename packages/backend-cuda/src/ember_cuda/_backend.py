"""The CuPy backend: ArrayAPIBackend over ``cupy`` with strided views, device contexts and GPU kernels.

Everything here is written against the part of CuPy's API that NumPy shares, plus a
handful of *platform primitives* (``_on``, ``_host``, ``_ptr``, ``_root_ptr``, ``_view``,
``_as_strided``, ``_add_at``/``_max_at``/``_min_at``, ``_rng``) that are the only places
CuPy itself is named. A test-only subclass swaps those primitives for NumPy's and runs
the whole conformance kit on the CPU, so the logic of every override is checked on
machines without a GPU; the primitives themselves are tested on a GPU (``nox -s cuda``).

Without CuPy, or without a usable GPU, the class still imports and registers:
``device_count()`` is 0, :meth:`unavailable_reason` says why, and core refuses to make
a ``cuda`` tensor with that sentence in its error.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from ember import dtype
from ember._dtypes import ALL_DTYPES
from ember.backends import BINARY_KERNELS, UNARY_KERNELS, ArrayAPIBackend
from ember_cuda import _runtime
from ember_cuda._api import DeviceAPI
from ember_cuda._conv import ConvKernels
from ember_cuda._nn import NNKernels
from ember_cuda._optim import OptimKernels
from ember_cuda._pool import PoolKernels
from ember_cuda._transfer import TransferMixin

__all__ = ["CupyBackend", "bind_namespace"]

Shape = tuple[int, ...]

#: Elementwise kernels this class writes itself (the rest are the namespace's functions).
_OWN_ELEMENTWISE = frozenset({"round", "real", "imag"})


class CupyBackend(DeviceAPI, TransferMixin, ConvKernels, PoolKernels, NNKernels, OptimKernels, ArrayAPIBackend):
    """Ember's CUDA backend. Arrays are ``cupy.ndarray``; views share memory."""

    name: ClassVar[str] = "cupy"
    device_type: ClassVar[str] = "cuda"
    indexed: ClassVar[bool] = True
    strided_views: ClassVar[bool] = True
    xp: ClassVar[Any] = None  # set to cupy by bind_namespace() below, when CuPy imports

    def __init__(self) -> None:
        # No super().__init__(): it allocates an array per dtype, which needs a GPU.
        self._count, self._reason = self._probe()
        self._native: dict[dtype, Any] = {}
        self._ember: dict[Any, dtype] = {}
        for dt in ALL_DTYPES if self.xp is not None else ():
            native = getattr(self.xp, dt.name, None)
            if native is not None:  # CuPy has no bfloat16
                self._native[dt] = native
                self._ember[np.dtype(native)] = dt
        self.dtypes: frozenset[dtype] = frozenset(self._native)
        if self._count:
            self._start()
        if self._count > 1:
            _guard_devices(self)

    def _probe(self) -> tuple[int, str | None]:
        return _runtime.probe()

    # -- devices ---------------------------------------------------------------------------
    def device_count(self) -> int:
        return self._count

    def unavailable_reason(self) -> str | None:
        """Why no CUDA device can be used (no CuPy, no driver, no GPU), or None when one can."""
        return self._reason

    # -- platform primitives (CuPy here; NumPy in the CPU stand-in used by the tests) -------
    @staticmethod
    def _on(index: int | None) -> Any:
        """Context making device ``index`` current (None: leave the current device)."""
        return contextlib.nullcontext() if index is None else _runtime.cupy.cuda.Device(index)

    @staticmethod
    def _host(x: Any) -> np.ndarray:
        return x.get()

    @staticmethod
    def _ptr(x: Any) -> int:
        return int(x.data.ptr)

    @staticmethod
    def _root_ptr(x: Any) -> int:
        return int(x.data.mem.ptr)

    @staticmethod
    def _view(x: Any, shape: Shape, byte_strides: Shape, byte_offset: int) -> Any:
        """A view of ``x``'s memory starting ``byte_offset`` bytes after its first element."""
        return _runtime.cupy.ndarray(shape, x.dtype, memptr=x.data + byte_offset, strides=byte_strides)

    @staticmethod
    def _as_strided(x: Any, shape: Shape, byte_strides: Shape) -> Any:
        return _runtime.cupy.lib.stride_tricks.as_strided(x, shape, byte_strides)

    @staticmethod
    def _add_at(x: Any, index: tuple[Any, ...], values: Any) -> None:
        _runtime.cupyx.scatter_add(x, index, values)

    @staticmethod
    def _max_at(x: Any, index: tuple[Any, ...], values: Any) -> None:
        _runtime.cupyx.scatter_max(x, index, values)

    @staticmethod
    def _min_at(x: Any, index: tuple[Any, ...], values: Any) -> None:
        _runtime.cupyx.scatter_min(x, index, values)

    @staticmethod
    def _rng(seed: int) -> Any:
        """A native generator: Philox, whose seeding is cheap enough to do per draw."""
        cp = _runtime.cupy
        return cp.random.Generator(cp.random.Philox4x3210(seed))

    # -- allocation and host copies -----------------------------------------------------------
    def asarray(self, obj: Any, dt: dtype, index: int | None, copy: bool | None) -> Any:
        native = self._native[dt]
        with self._on(index):
            if copy:
                return self.xp.array(obj, dtype=native)
            out = self.xp.asarray(obj, dtype=native)
        if copy is False and out is not obj and not _same_memory(self, out, obj):
            raise ValueError(f"asarray(copy=False): {type(obj).__name__} cannot be used without a copy")
        return out

    def from_numpy(self, arr: Any, index: int | None) -> Any:
        with self._on(index):
            return self.xp.asarray(arr)

    def from_dlpack(self, obj: Any, index: int | None) -> Any:
        with self._on(index):
            return self.xp.from_dlpack(obj)

    def to_numpy(self, x: Any) -> np.ndarray:
        return self._host(x)

    def empty(self, shape: Shape, dt: dtype, index: int | None) -> Any:
        with self._on(index):
            return self.xp.empty(shape, dtype=self._native[dt])

    def full(self, shape: Shape, value: Any, dt: dtype, index: int | None) -> Any:
        with self._on(index):
            if type(value) is int and value == 0:
                return self.xp.zeros(shape, dtype=self._native[dt])
            return self.xp.full(shape, value, dtype=self._native[dt])

    def arange(self, start: float, stop: float, step: float, dt: dtype, index: int | None) -> Any:
        with self._on(index):
            return self.xp.arange(start, stop, step, dtype=self._native[dt])

    def linspace(self, start: float, stop: float, num: int, dt: dtype, index: int | None) -> Any:
        with self._on(index):
            return self.xp.linspace(start, stop, num, dtype=self._native[dt])

    def eye(self, n: int, m: int, dt: dtype, index: int | None) -> Any:
        with self._on(index):
            return self.xp.eye(n, m, dtype=self._native[dt])

    def astype(self, x: Any, dt: dtype) -> Any:
        if x.dtype.kind == "c" and dt.category < 3:  # torch keeps the real part (bool: != 0)
            return self.xp.not_equal(x, 0) if dt.name == "bool" else self.xp.real(x).astype(self._native[dt])
        return x.astype(self._native[dt])

    def copy(self, x: Any) -> Any:
        return x.copy(order="C")

    def copy_into(self, dst: Any, src: Any) -> None:
        self.xp.copyto(dst, src, casting="unsafe")

    def item(self, x: Any) -> Any:
        return x.item()

    def tolist(self, x: Any) -> Any:
        return x.tolist()

    # -- layout ----------------------------------------------------------------------------------
    def strides(self, x: Any) -> Shape:
        if not x.size and not any(x.strides):
            return super().strides(x)  # torch reports C-contiguous strides for fresh empty tensors
        size = x.itemsize
        return tuple(s // size for s in x.strides)

    def storage_offset(self, x: Any) -> int:
        return (self._ptr(x) - self._root_ptr(x)) // x.itemsize

    def data_ptr(self, x: Any) -> int:
        return self._ptr(x)

    def as_strided(self, x: Any, shape: Shape, strides: Shape, offset: int) -> Any:
        size = x.itemsize
        return self._view(x, shape, tuple(s * size for s in strides), offset * size)

    def broadcast_to(self, x: Any, shape: Shape) -> Any:
        view = self.xp.broadcast_to(x, shape)  # checks the shapes
        if not view.size:
            return view
        # torch's expand strides: a dim keeps its stride unless it grows from 1 (then 0).
        lead = len(shape) - x.ndim
        own = self.strides(x)
        strides = (0,) * lead + tuple(st if n == t else 0 for n, st, t in zip(x.shape, own, shape[lead:], strict=True))
        return self.as_strided(x, shape, strides, 0)

    def reshape(self, x: Any, shape: Shape, copy: bool | None) -> Any:
        if copy is None:
            return x.reshape(shape)
        if copy:
            return x.reshape(shape).copy()
        out = x.reshape(shape)
        if not _same_memory(self, out, x):
            raise ValueError(f"reshape(copy=False): cannot view an array of shape {x.shape} as {shape}")
        return out

    def permute_dims(self, x: Any, axes: Shape) -> Any:
        return x.transpose(axes)

    def concat(self, arrays: Sequence[Any], axis: int) -> Any:
        return self.xp.concatenate(list(arrays), axis=axis)

    def stack(self, arrays: Sequence[Any], axis: int) -> Any:
        return self.xp.stack(list(arrays), axis=axis)

    # -- elementwise written here ---------------------------------------------------------------
    def round(self, x: Any) -> Any:
        # rint rounds half to even, like torch.round; integers are already round.
        return self.xp.rint(x) if x.dtype.kind in "fc" else x.copy()

    def real(self, x: Any) -> Any:
        return self.xp.real(x)

    def imag(self, x: Any) -> Any:
        return self.xp.imag(x)

    # -- sorting (CuPy sorts are always stable, and take no `stable` argument) ---------------------
    def sort(self, x: Any, axis: int, descending: bool, stable: bool) -> Any:
        if descending:  # torch puts NaN first when descending
            return self.take_along_axis(x, self.argsort(x, axis, True, stable), axis)
        if x.dtype.kind == "b":
            return self.xp.sort(x.astype(self.xp.uint8), axis=axis, kind="stable").astype(x.dtype)
        return self.xp.sort(x, axis=axis, kind="stable")

    def argsort(self, x: Any, axis: int, descending: bool, stable: bool) -> Any:
        xp = self.xp
        if x.dtype.kind == "b":
            x = x.astype(xp.uint8)
        if not descending:
            return xp.argsort(x, axis=axis, kind="stable").astype(xp.int64)
        # A stable ascending sort of an order-reversing key; ~x reverses integers without overflow.
        if x.dtype.kind in "iu":
            return xp.argsort(xp.invert(x), axis=axis, kind="stable").astype(xp.int64)
        order = xp.argsort(xp.negative(x), axis=axis, kind="stable")
        nan = xp.isnan(x)
        if bool(nan.any()):  # then a stable pass on "is not NaN" moves NaN first
            key = xp.take_along_axis(xp.logical_not(nan), order, axis=axis).astype(xp.uint8)
            order = xp.take_along_axis(order, xp.argsort(key, axis=axis, kind="stable"), axis=axis)
        return order.astype(xp.int64)

    # -- linear algebra --------------------------------------------------------------------------
    def linalg_cholesky(self, x: Any, upper: bool) -> Any:
        low = self.xp.linalg.cholesky(x)
        return self.xp.conj(self.xp.swapaxes(low, -1, -2)) if upper else low

    def linalg_eigh(self, x: Any, uplo: str) -> tuple[Any, Any]:
        w, v = self.xp.linalg.eigh(x, UPLO=uplo)
        return w, v

    # -- indexing ---------------------------------------------------------------------------------
    def getitem(self, x: Any, key: tuple[Any, ...]) -> Any:
        full = (*key, Ellipsis)  # the Ellipsis makes integer-only keys give 0-d views
        return x[full]

    def setitem(self, x: Any, key: tuple[Any, ...], value: Any) -> None:
        full = (*key, Ellipsis)
        x[full] = value

    def _grid(self, indices: Any, axis: int) -> tuple[Any, ...]:
        """``np.indices(indices.shape, sparse=True)`` with ``indices`` along ``axis``."""
        n = indices.ndim
        return tuple(
            indices if d == axis else self.xp.arange(s).reshape((1,) * d + (s,) + (1,) * (n - d - 1))
            for d, s in enumerate(indices.shape)
        )

    def scatter_add(self, x: Any, axis: int, indices: Any, src: Any) -> None:
        self._add_at(x, self._grid(indices, axis), src)

    def scatter_reduce(self, x: Any, axis: int, indices: Any, src: Any, reduce: str) -> None:
        idx = self._grid(indices, axis)
        if reduce == "sum":
            self._add_at(x, idx, src)
        elif reduce == "prod":
            # No product scatter on the GPU: multiply on the host (correct, not fast).
            host = self._host(x)
            np.multiply.at(host, tuple(np.broadcast_to(self._host(i), indices.shape) for i in idx), self._host(src))
            self.copy_into(x, self.xp.asarray(host))
        else:
            # Atomic max/min drop NaN; torch propagates it: add NaN where a NaN meets a position.
            had_nan = self.xp.isnan(x) if x.dtype.kind in "fc" else None
            (self._max_at if reduce == "amax" else self._min_at)(x, idx, src)
            if had_nan is not None:
                nan_src = self.xp.isnan(src)
                if bool(nan_src.any()):
                    self._add_at(x, idx, self.xp.where(nan_src, src, 0).astype(x.dtype))
                x[had_nan] = np.nan

    # -- random numbers -----------------------------------------------------------------------------
    # A native generator is a seed and a draw counter: each draw seeds a fresh Philox stream from
    # (seed, draw), so a state is two ints (exportable as JSON, restored exactly).
    def new_generator(self, seed: int, index: int | None) -> _CounterRNG:
        return _CounterRNG(seed)

    def generator_state(self, gen: _CounterRNG) -> dict[str, int]:
        return {"seed": gen.seed, "draws": gen.draws}

    def set_generator_state(self, gen: _CounterRNG, state: dict[str, int]) -> None:
        gen.seed, gen.draws = int(state["seed"]), int(state["draws"])

    def _next(self, gen: _CounterRNG) -> Any:
        return self._rng(gen.advance())

    def uniform(self, gen: Any, shape: Shape, dt: dtype, index: int | None) -> Any:
        with self._on(index):
            out = self._next(gen).random(shape, dtype=np.float64 if dt.itemsize == 8 else np.float32)
            return out if out.dtype == self._native[dt] else out.astype(self._native[dt])

    def normal(self, gen: Any, shape: Shape, dt: dtype, index: int | None) -> Any:
        with self._on(index):
            out = self._next(gen).standard_normal(shape, dtype=np.float64 if dt.itemsize == 8 else np.float32)
            return out if out.dtype == self._native[dt] else out.astype(self._native[dt])

    def integers(self, gen: Any, low: int, high: int, shape: Shape, dt: dtype, index: int | None) -> Any:
        with self._on(index):
            out = self._next(gen).integers(low, high, size=shape, dtype=np.int64)
            return out if out.dtype == self._native[dt] else out.astype(self._native[dt])


class _CounterRNG:
    """A seed and the number of draws made from it."""

    __slots__ = ("draws", "seed")

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self.draws = 0

    def advance(self) -> int:
        """The 64-bit seed of the next draw's stream (SplitMix64 of seed and counter)."""
        self.draws += 1
        z = (self.seed + self.draws * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)


def _same_memory(bk: Any, a: Any, b: Any) -> bool:
    try:
        return bool(bk._ptr(a) == bk._ptr(b))
    except (AttributeError, TypeError):
        return False


def bind_namespace(cls: type[CupyBackend], xp: Any) -> None:
    """Make ``xp`` the namespace of ``cls`` and bind its elementwise kernels to ``xp``'s functions."""
    cls.xp = xp
    for kernel in (*UNARY_KERNELS, *BINARY_KERNELS):
        if kernel not in _OWN_ELEMENTWISE:
            setattr(cls, kernel, staticmethod(getattr(xp, kernel)))


def _unavailable(name: str) -> Callable[..., Any]:
    def kernel(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{name}(): the cupy backend cannot run: {_runtime.unavailable_reason()}")

    kernel.__name__ = name
    return staticmethod(kernel)


def _guard_devices(bk: CupyBackend) -> None:
    """With several GPUs, run each kernel on its first array's device (CuPy launches on the current one)."""
    from ember.backends import OPTIONAL_KERNELS, REQUIRED_KERNELS

    def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            for a in args:
                dev = getattr(a, "device", None)
                if dev is not None and hasattr(dev, "__enter__"):
                    with dev:
                        return fn(*args, **kwargs)
            return fn(*args, **kwargs)

        return call

    for name in (*REQUIRED_KERNELS, *OPTIONAL_KERNELS):
        fn = getattr(bk, name, None)
        if fn is not None and name not in ("device_count", "native_dtype", "ember_dtype"):
            setattr(bk, name, guarded(fn))


if _runtime.cupy is not None:
    bind_namespace(CupyBackend, _runtime.cupy)
else:
    for _kernel in (*UNARY_KERNELS, *BINARY_KERNELS):
        if _kernel not in _OWN_ELEMENTWISE:
            setattr(CupyBackend, _kernel, _unavailable(_kernel))
