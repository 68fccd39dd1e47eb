"""Fast NumPy in-place update kernels of the optional tier: optimizer steps (contracts:
``ember.backends.reference.optim``) and in-place arithmetic (``ember.backends.reference.inplace``).

One Adam step is about a dozen elementwise passes over a parameter and its state. The
kernels here run them chunk by chunk on flat views: each chunk (up to 1 MiB per array) goes
through every pass while it is in cache, with ``out=`` into per-thread scratch
buffers, so a step allocates nothing the size of the parameter. Large parameters have
their chunks split over the shared thread pool (:mod:`ember_cpu._threads`); NumPy's
ufunc loops release the GIL, so the threads run concurrently, as PyTorch's OpenMP
kernels do. Arrays that are not C-contiguous are updated whole, on one thread.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from ember_cpu._quiet import quiet
from ember_cpu._threads import _WORKERS, _shared_out

__all__ = ["OptimKernels"]

#: ``binary_into``'s kernels (ember.backends.reference.inplace.INTO_KERNELS) as ufuncs.
_INTO = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.divide}

#: Bytes per array per chunk, at most and at least: a chunk's ~6 arrays stay in cache (L2/L3),
#: and each ufunc call does enough work to hide its ~1 us of Python overhead.
_CHUNK_BYTES = 1 << 20
_MIN_CHUNK_BYTES = 1 << 16
#: Elements below which one thread updates the whole parameter.
_PARALLEL_MIN = 1 << 18

_local = threading.local()


def _scratch(dt: np.dtype, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Two thread-local scratch vectors of at least ``n`` elements of ``dt`` (kept between calls)."""
    bufs: dict[np.dtype, tuple[np.ndarray, np.ndarray]] | None = getattr(_local, "bufs", None)
    if bufs is None:
        bufs = _local.bufs = {}
    pair = bufs.get(dt)
    if pair is None or pair[0].size < n:
        pair = bufs[dt] = (np.empty(n, dt), np.empty(n, dt))
    return pair


def _run(chunk: Callable[..., None], arrays: list[np.ndarray | None], grad: np.ndarray) -> None:
    """``chunk(t, t2, g, *arrays)`` over the parameter: chunked and threaded when every array is contiguous.

    ``arrays`` are the written arrays (parameter first; None for an absent buffer), all of
    one shape and dtype; ``grad`` is read only and may have any layout.
    """
    p = arrays[0]
    assert p is not None
    n = p.size
    if n == 0:
        return
    dt = p.dtype
    if grad.dtype != dt or grad.shape != p.shape:
        grad = np.broadcast_to(grad.astype(dt, copy=False), p.shape)
    if not all(a is None or a.flags.c_contiguous for a in arrays):
        # Rare (a parameter that is a strided view): whole arrays, full-size scratch.
        chunk(np.empty(p.shape, dt), np.empty(p.shape, dt), grad, *arrays)
        return
    flat = [None if a is None else a.reshape(-1) for a in arrays]
    g = np.ascontiguousarray(grad).reshape(-1)
    # a few chunks per thread, so a thread that starts late still gets a share
    size = min(_CHUNK_BYTES // dt.itemsize, max(_MIN_CHUNK_BYTES // dt.itemsize, -(-n // (4 * _WORKERS))))
    count = -(-n // size)

    def block(lo: int, hi: int) -> None:
        t, t2 = _scratch(dt, min(size, n))
        for i in range(lo, hi):
            a, b = i * size, min((i + 1) * size, n)
            k = b - a
            chunk(t[:k], t2[:k], g[a:b], *(None if x is None else x[a:b] for x in flat))

    _shared_out(block, count, n, _PARALLEL_MIN)


def _effective_grad(g: np.ndarray, p: np.ndarray, t2: np.ndarray, maximize: bool, weight_decay: float) -> np.ndarray:
    """``(-g if maximize else g) + weight_decay * p`` (in ``t2`` when it differs from ``g``)."""
    if weight_decay != 0:
        np.multiply(p, weight_decay, out=t2)
        if maximize:
            np.subtract(t2, g, out=t2)
        else:
            np.add(g, t2, out=t2)
        return t2
    if maximize:
        np.negative(g, out=t2)
        return t2
    return g


class OptimKernels:
    """Optional-tier overrides mixed into NumpyBackend."""

    @quiet
    def adam_update(
        self, param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray, exp_avg_sq: np.ndarray,
        max_exp_avg_sq: np.ndarray | None, *, step: float, lr: float, beta1: float, beta2: float, eps: float,
        weight_decay: float, amsgrad: bool, maximize: bool, decoupled: bool,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        decay = 1 - lr * weight_decay if weight_decay != 0 and decoupled else None
        coupled = 0.0 if decoupled else weight_decay
        w = 1 - beta1
        one_minus_beta2 = 1 - beta2
        bc2_sqrt = math.sqrt(1 - beta2**step)
        neg_step_size = -(lr / (1 - beta1**step))
        fold = neg_step_size != 0 and math.isfinite(neg_step_size)
        if fold:
            # PyTorch's capturable form: -step_size folded into the denominator saves a pass
            # (p += m / d' with d' = sqrt(v) / (bc2_sqrt * -step_size) + eps / -step_size)
            d_scale, d_shift = bc2_sqrt * neg_step_size, eps / neg_step_size
        else:
            d_scale, d_shift = bc2_sqrt, eps

        def chunk(t: np.ndarray, t2: np.ndarray, g: np.ndarray, p: np.ndarray, m: np.ndarray,
                  v: np.ndarray, mx: np.ndarray | None) -> None:
            if decay is not None:
                p *= decay
            g = _effective_grad(g, p, t2, maximize, coupled)
            np.subtract(g, m, out=t)
            if w < 0.5:
                t *= w
                m += t
            else:
                t *= 1.0 - w
                np.subtract(g, t, out=m)
            v *= beta2
            np.multiply(g, g, out=t)
            t *= one_minus_beta2
            v += t
            if mx is not None:
                np.maximum(mx, v, out=mx)
                v = mx
            np.sqrt(v, out=t)
            t /= d_scale
            t += d_shift
            if fold:
                np.divide(m, t, out=t)
            else:
                np.multiply(m, neg_step_size, out=t2)
                np.divide(t2, t, out=t)
            p += t

        _run(chunk, [param, exp_avg, exp_avg_sq, max_exp_avg_sq if amsgrad else None], grad)
        return param, exp_avg, exp_avg_sq, max_exp_avg_sq

    @quiet
    def binary_into(self, name: str, dst: np.ndarray, src: Any) -> np.ndarray:
        """The ufunc with ``out=dst`` (NumPy copies ``src`` first where it overlaps ``dst``)."""
        _INTO[name](dst, src, out=dst)
        return dst

    @quiet
    def sgd_update(
        self, param: np.ndarray, grad: np.ndarray, momentum_buffer: np.ndarray | None, *, first: bool, lr: float,
        momentum: float, dampening: float, weight_decay: float, nesterov: bool, maximize: bool,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        def chunk(t: np.ndarray, t2: np.ndarray, g: np.ndarray, p: np.ndarray, buf: np.ndarray | None) -> None:
            g = _effective_grad(g, p, t2, maximize, weight_decay)
            if buf is not None:
                if first:
                    np.copyto(buf, g)
                else:
                    buf *= momentum
                    if dampening == 0:
                        buf += g
                    else:
                        np.multiply(g, 1 - dampening, out=t)
                        buf += t
                if nesterov:
                    np.multiply(buf, momentum, out=t)
                    np.add(g, t, out=t)
                    g = t
                else:
                    g = buf
            np.multiply(g, -lr, out=t)
            p += t

        _run(chunk, [param, momentum_buffer if momentum != 0 else None], grad)
        return param, momentum_buffer
