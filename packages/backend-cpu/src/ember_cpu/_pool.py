"""Fast NumPy pooling kernels of the optional tier (contracts: ``ember.backends.reference.pool``).

Every kernel works on strided slices, one per kernel offset: ``x[..., i::s, j::s]``
holds offset ``(i, j)`` of every window. Max pooling is a chain of
``np.maximum`` over them; the index of each maximum is found afterwards by
comparing the slices with the result (first equal offset wins, as in PyTorch), and
its gradient is written back into the same slices. This is 5-8x faster than
argmax/put_along_axis on unrolled windows (see shared/PERF-NOTES.md). Average
pooling sums the slices; adaptive pools whose windows tile the input evenly become
regular pools. Anything else falls back to the reference kernel.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ember.backends._optional import OPTIONAL_KERNELS
from ember.backends.reference.pool import pool_output_size
from ember_cpu._quiet import quiet
from ember_cpu._threads import _in_parallel

__all__ = ["PoolKernels"]

Ints = tuple[int, ...]


def _reference(name: str) -> Any:
    return OPTIONAL_KERNELS[name].reference


def _lowest(dt: np.dtype) -> Any:
    return -np.inf if dt.kind == "f" else np.iinfo(dt).min


def _geometry(shape: Ints, kernel: Ints, stride: Ints, pad: Ints, dil: Ints, ceil_mode: bool) -> tuple[int, Ints, Ints, Ints]:
    """``(batch dims, spatial size, output size, padded size)``."""
    n = len(kernel)
    nb = len(shape) - n
    size = shape[nb:]
    out = tuple(pool_output_size(*a, ceil_mode) for a in zip(size, kernel, stride, pad, dil, strict=True))
    padded = tuple(
        max(s + 2 * p, (o - 1) * st + (k - 1) * d + 1)
        for s, o, k, st, p, d in zip(size, out, kernel, stride, pad, dil, strict=True)
    )
    return nb, size, out, padded


def _pad(x: np.ndarray, nb: int, size: Ints, pad: Ints, padded: Ints, value: Any) -> np.ndarray:
    if padded == size:
        return x
    xp = np.empty((*x.shape[:nb], *padded), dtype=x.dtype)
    xp.fill(value)
    center: tuple[Any, ...] = (Ellipsis, *(slice(p, p + s) for p, s in zip(pad, size, strict=True)))
    xp[center] = x
    return xp


def _slices(
    x: np.ndarray, out: Ints, kernel: Ints, stride: Ints, dil: Ints,
) -> Iterator[tuple[Ints, np.ndarray]]:
    """``(offset, view)`` per kernel offset in C order: the view holds that offset of every window."""
    for offsets in itertools.product(*(range(k) for k in kernel)):
        key = tuple(
            slice(j * d, j * d + st * (o - 1) + 1, st) for j, d, st, o in zip(offsets, dil, stride, out, strict=True)
        )
        full_key: tuple[Any, ...] = (Ellipsis, *key)
        yield offsets, x[full_key]


def _window_starts(size: Ints, out: Ints, stride: Ints, pad: Ints) -> np.ndarray:
    """int64 flat index (in the unpadded plane) of each window's offset-0 element, ``out``-shaped."""
    flat = np.zeros((), dtype=np.int64)
    for d, (o, st, p) in enumerate(zip(out, stride, pad, strict=True)):
        start = np.arange(o, dtype=np.int64) * st - p
        flat = np.add.outer(flat, start * math.prod(size[d + 1:]))
    return flat


def _offset_steps(size: Ints, kernel: Ints, dil: Ints) -> list[int]:
    """Flat index step of each kernel offset (C order) relative to the window's offset 0."""
    strides = [math.prod(size[d + 1:]) for d in range(len(size))]
    return [
        sum(j * d * s for j, d, s in zip(offsets, dil, strides, strict=True))
        for offsets in itertools.product(*(range(k) for k in kernel))
    ]


def _clipped(
    size: Ints, out: Ints, kernel: Ints, stride: Ints, pad: Ints, dil: Ints,
) -> list[tuple[int, tuple[Any, ...], Ints, tuple[Any, ...]]]:
    """Per kernel offset ``t`` (C order) that reaches the input: ``(t, out_key, phase, in_key)``.

    Along a dim, window ``o``'s offset-``j`` element sits at input position
    ``o*s + j*d - p = s*(o + base) + phase``: row ``o + base`` of that dim's phase plane
    ``x[phase::s]``. ``out_key`` selects the windows whose offset-``t`` element is a real
    input element (not padding) and ``in_key`` those elements, a unit-step slice of the
    phase plane ``phase`` (one phase per dim), so no padded copy is ever made.
    ``out_key`` is ``(Ellipsis,)`` when every window's element is real.
    """
    parts = []
    for t, offsets in enumerate(itertools.product(*(range(k) for k in kernel))):
        out_key: list[slice] = []
        in_key: list[slice] = []
        phase: list[int] = []
        for j, n, o, st, p, d in zip(offsets, size, out, stride, pad, dil, strict=True):
            q = j * d - p
            f = q % st
            base = (q - f) // st
            rows = len(range(f, n, st))
            lo, hi = max(0, -base), min(o, rows - base)
            if hi <= lo:
                break
            out_key.append(slice(lo, hi))
            in_key.append(slice(lo + base, hi + base))
            phase.append(f)
        else:
            whole = all(k.start == 0 and k.stop == o for k, o in zip(out_key, out, strict=True))
            parts.append((t, (Ellipsis,) if whole else (Ellipsis, *out_key), tuple(phase), (Ellipsis, *in_key)))
    return parts


class _Phases:
    """The phase planes ``x[..., f1::s1, f2::s2]`` of a block, each copied once to contiguous
    memory on first use (strided reads made every later pass several times slower); with
    unit strides, or when each element is read once anyway, the only plane is ``x`` itself."""

    def __init__(self, x: np.ndarray, stride: Ints, reads: int) -> None:
        self.x, self.stride = x, stride
        # Copying pays when an element is read more than once: overlapping windows, or the
        # index passes after the maximum.
        self.unit = all(st == 1 for st in stride) or reads <= math.prod(stride)
        self.planes: dict[Ints, np.ndarray] = {}

    def __call__(self, phase: Ints, key: tuple[Any, ...]) -> np.ndarray:
        if self.unit:  # the same elements as strided slices of x
            strided: tuple[Any, ...] = (Ellipsis, *(
                slice(f + st * k.start, f + st * (k.stop - 1) + 1, st)
                for f, st, k in zip(phase, self.stride, key[1:], strict=True)
            ))
            return self.x[strided]
        plane = self.planes.get(phase)
        if plane is None:
            select: tuple[Any, ...] = (Ellipsis, *(slice(f, None, st) for f, st in zip(phase, self.stride, strict=True)))
            plane = self.planes[phase] = np.ascontiguousarray(self.x[select])
        return plane[key]


def _every_window_real(size: Ints, out: Ints, kernel: Ints, stride: Ints, pad: Ints, dil: Ints) -> bool:
    """Whether every window holds at least one real (non-padding) element."""
    for s, o, k, st, p, d in zip(size, out, kernel, stride, pad, dil, strict=True):
        pos = np.arange(o)[:, None] * st - p + np.arange(k)[None, :] * d
        if not ((pos >= 0) & (pos < s)).any(axis=1).all():
            return False
    return True


def _max_pool_block(
    x: np.ndarray, values: np.ndarray, indices: np.ndarray | None, parts: list[Any], whole: bool,
    count: int, steps: np.ndarray, starts: Any, stride: Ints,
) -> None:
    """Max pooling of a block of planes into ``values`` (and ``indices``), in place."""
    src = _Phases(x, stride, len(parts) * (1 if indices is None else 2))
    if whole:  # no window reaches into padding: start from the first offset's slice
        np.copyto(values, src(parts[0][2], parts[0][3]))
        rest = parts[1:]
    else:
        values.fill(_lowest(x.dtype))
        rest = parts
    for _, sub, phase, key in rest:
        v = values[sub]
        np.maximum(v, src(phase, key), out=v)
    if indices is None:
        return
    # Offset of each window's maximum (first equal offset, as in PyTorch) as a count of the
    # offsets before it: `pending` stays true while no offset so far equals the maximum
    # (padding never does), and `which` adds it up. One-byte arrays keep this cheap.
    pending = np.ones(values.shape, dtype=np.bool_)
    which = np.zeros(values.shape, dtype=np.uint8 if count <= 255 else np.int32)
    by_offset = {t: (sub, phase, key) for t, sub, phase, key in parts}
    for t in range(count - 1):
        if t in by_offset:  # offsets that only ever reach padding stay pending everywhere
            sub, phase, key = by_offset[t]
            p = pending[sub]
            p &= src(phase, key) != values[sub]
        which += pending
    if x.dtype.kind == "f" and np.isnan(values).any():  # PyTorch keeps the last NaN of a window
        which = np.array(which, dtype=np.int32)
        for t, sub, phase, key in parts:
            w = which[sub]
            np.copyto(w, t, where=np.isnan(src(phase, key)))
    np.add(steps[which], starts, out=indices)


class PoolKernels:
    """Optional-tier overrides mixed into NumpyBackend."""

    @quiet
    def max_pool(
        self, x: np.ndarray, kernel_size: Ints, stride: Ints, padding: Ints, dilation: Ints, ceil_mode: bool,
        with_indices: bool = True,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        nb, size, out, _ = _geometry(x.shape, kernel_size, stride, padding, dilation, ceil_mode)
        parts = _clipped(size, out, kernel_size, stride, padding, dilation)
        whole = len(parts) == math.prod(kernel_size) and all(part[1] == (Ellipsis,) for part in parts)
        if with_indices and not whole and not _every_window_real(size, out, kernel_size, stride, padding, dilation):
            # Some window holds padding only (large dilation on a tiny input): PyTorch's index is
            # then a position past the plane, which the reference reproduces.
            return _reference("max_pool")(self, x, kernel_size, stride, padding, dilation, ceil_mode)
        shape = (*x.shape[:nb], *out)
        values = np.empty(shape, dtype=x.dtype)
        indices = np.empty(shape, dtype=np.int64) if with_indices else None
        steps = np.asarray(_offset_steps(size, kernel_size, dilation), dtype=np.int64)
        starts = _window_starts(size, out, stride, padding) if with_indices else None

        def block(lo: int, hi: int) -> None:
            _max_pool_block(
                x[lo:hi], values[lo:hi], None if indices is None else indices[lo:hi],
                parts, whole, math.prod(kernel_size), steps, starts, stride,
            )

        _in_parallel(block, shape[0], values.size)
        return values, indices

    @quiet
    def max_pool_backward(
        self, grad_out: np.ndarray, indices: np.ndarray, input_size: Ints,
        kernel_size: Ints | None = None, stride: Ints | None = None, padding: Ints | None = None,
        dilation: Ints | None = None,
    ) -> np.ndarray:
        # One unbuffered scatter-add over the flattened planes: NumPy 2's ufunc.at fast path
        # beats writing into the k*k strided slices by ~10x (3.6 vs 47 ms, 8x64x112x112, 3x3/2).
        n = len(input_size)
        nb = grad_out.ndim - n
        plane = math.prod(input_size)
        planes = math.prod(grad_out.shape[:nb])
        grad = np.zeros(planes * plane, dtype=grad_out.dtype)
        if grad_out.size:
            flat = indices.reshape(planes, -1)
            geometry = (kernel_size, stride, padding, dilation)
            if any(a is None for a in geometry) or not _every_window_real(
                input_size, grad_out.shape[nb:], *geometry  # type: ignore[arg-type]
            ):
                # Windows of padding only carry PyTorch's past-the-plane index: drop them.
                keep = (flat >= 0) & (flat < plane)
                if not keep.all():
                    flat = np.where(keep, flat, 0)
                    grad_out = np.where(keep.reshape(grad_out.shape), grad_out, 0).astype(grad_out.dtype)
            where = flat + (np.arange(planes, dtype=np.int64) * plane)[:, None]
            np.add.at(grad, where.reshape(-1), grad_out.reshape(-1))
        return grad.reshape(*grad_out.shape[:nb], *input_size)

    @quiet
    def avg_pool(
        self, x: np.ndarray, kernel_size: Ints, stride: Ints, padding: Ints, ceil_mode: bool,
        count_include_pad: bool, divisor_override: int | None,
    ) -> np.ndarray:
        if x.dtype.kind != "f":
            return _reference("avg_pool")(
                self, x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
            )
        ones = (1,) * len(kernel_size)
        nb, size, out, padded = _geometry(x.shape, kernel_size, stride, padding, ones, ceil_mode)
        acc = np.dtype(np.float32) if x.dtype == np.float16 else x.dtype
        xp = _pad(x, nb, size, padding, padded, 0)
        total: np.ndarray | None = None
        for _, v in _slices(xp, out, kernel_size, stride, ones):
            if total is None:
                total = v.astype(acc)
            else:
                total += v
        assert total is not None
        total /= _divisor(size, out, kernel_size, stride, padding, count_include_pad, divisor_override, acc)
        return total.astype(x.dtype, copy=False)

    @quiet
    def avg_pool_backward(
        self, grad_out: np.ndarray, input_size: Ints, kernel_size: Ints, stride: Ints, padding: Ints,
        ceil_mode: bool, count_include_pad: bool, divisor_override: int | None,
    ) -> np.ndarray:
        n = len(input_size)
        nb = grad_out.ndim - n
        out = grad_out.shape[nb:]
        ones = (1,) * n
        acc = np.dtype(np.float32) if grad_out.dtype == np.float16 else grad_out.dtype
        g = grad_out / _divisor(input_size, out, kernel_size, stride, padding, count_include_pad, divisor_override, acc)
        g = g.astype(acc, copy=False)
        padded = tuple(
            max(s + 2 * p, (o - 1) * st + k) for s, o, k, st, p in zip(input_size, out, kernel_size, stride, padding, strict=True)
        )
        grad = np.zeros((*grad_out.shape[:nb], *padded), dtype=acc)
        for _, view in _slices(grad, out, kernel_size, stride, ones):
            view += g
        if padded != input_size:
            crop: tuple[Any, ...] = (Ellipsis, *(slice(p, p + s) for p, s in zip(padding, input_size, strict=True)))
            grad = grad[crop]
        return np.ascontiguousarray(grad, dtype=grad_out.dtype)

    @quiet
    def adaptive_avg_pool(self, x: np.ndarray, output_size: Ints) -> np.ndarray:
        n = len(output_size)
        size = x.shape[x.ndim - n:]
        if 0 in output_size or any(s % o for s, o in zip(size, output_size, strict=True)):
            return _reference("adaptive_avg_pool")(self, x, output_size)
        split = x.reshape(*x.shape[: x.ndim - n], *itertools.chain.from_iterable(
            (o, s // o) for s, o in zip(size, output_size, strict=True)
        ))
        axes = tuple(range(x.ndim - n + 1, split.ndim, 2))
        acc = np.float32 if x.dtype == np.float16 else None
        return split.mean(axis=axes, dtype=acc).astype(x.dtype, copy=False)

    @quiet
    def adaptive_avg_pool_backward(self, grad_out: np.ndarray, input_size: Ints) -> np.ndarray:
        n = len(input_size)
        nb = grad_out.ndim - n
        out = grad_out.shape[nb:]
        if 0 in out or any(s % o for s, o in zip(input_size, out, strict=True)):
            return _reference("adaptive_avg_pool_backward")(self, grad_out, input_size)
        widths = [s // o for s, o in zip(input_size, out, strict=True)]
        spread = grad_out.reshape(*grad_out.shape[:nb], *itertools.chain.from_iterable((o, 1) for o in out))
        shape = (*grad_out.shape[:nb], *itertools.chain.from_iterable(zip(out, widths, strict=True)))
        grad = np.multiply(np.broadcast_to(spread, shape), grad_out.dtype.type(1 / math.prod(widths)))
        return grad.reshape(*grad_out.shape[:nb], *input_size)

    def adaptive_max_pool(self, x: np.ndarray, output_size: Ints) -> tuple[np.ndarray, np.ndarray]:
        n = len(output_size)
        size = x.shape[x.ndim - n:]
        if 0 in output_size or any(s % o for s, o in zip(size, output_size, strict=True)):
            return _reference("adaptive_max_pool")(self, x, output_size)
        widths = tuple(s // o for s, o in zip(size, output_size, strict=True))
        values, indices = self.max_pool(x, widths, widths, (0,) * n, (1,) * n, False)
        assert indices is not None
        return values, indices


def _divisor(
    size: Ints, out: Ints, kernel: Ints, stride: Ints, pad: Ints, count_include_pad: bool,
    divisor_override: int | None, dt: Any,
) -> Any:
    """Average pooling's divisor per window (separable: a product of per-dim counts)."""
    if divisor_override is not None:
        return divisor_override
    result = np.ones((), dtype=dt)
    for s, o, k, st, p in zip(size, out, kernel, stride, pad, strict=True):
        start = np.arange(o) * st - p
        end = np.minimum(start + k, s + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, s)
        result = np.multiply.outer(result, (end - start).astype(dt))
    return result
