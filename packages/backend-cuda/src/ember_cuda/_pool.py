"""Optional-tier pooling kernels on the GPU: max pooling with indices, average pooling, adaptive pools.

Every kernel works on strided slices, one per kernel offset: ``x[..., i::s, j::s]`` holds
offset ``(i, j)`` of every window, so a pool is ``prod(kernel)`` elementwise passes over
arrays the size of the output (no unrolled windows, no per-window loop). Max pooling keeps
a running maximum and the offset where it was first reached (PyTorch's first-maximum-wins
rule; a NaN wins, the last one seen); padding is excluded with a per-offset mask built
from the window geometry. Its gradient is one atomic scatter-add (``cupyx.scatter_add``).
Adaptive pools whose windows tile the input evenly become regular pools; anything else,
and windows made of padding only, go to the reference kernel.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, ClassVar

import numpy as np

from ember.backends._optional import OPTIONAL_KERNELS
from ember.backends.reference.pool import pool_output_size

__all__ = ["PoolKernels"]

Ints = tuple[int, ...]


def _reference(name: str) -> Any:
    return OPTIONAL_KERNELS[name].reference


def _geometry(size: Ints, kernel: Ints, stride: Ints, pad: Ints, dil: Ints, ceil_mode: bool) -> tuple[Ints, Ints]:
    """``(output size, padded size)`` along the spatial dims."""
    out = tuple(pool_output_size(*a, ceil_mode) for a in zip(size, kernel, stride, pad, dil, strict=True))
    padded = tuple(
        max(s + 2 * p, (o - 1) * st + (k - 1) * d + 1)
        for s, o, k, st, p, d in zip(size, out, kernel, stride, pad, dil, strict=True)
    )
    return out, padded


def _positions(o: int, k: int, st: int, p: int, d: int) -> np.ndarray:
    """``(o, k)`` input positions of each window's elements along one dim (negative: padding)."""
    return np.arange(o)[:, None] * st - p + np.arange(k)[None, :] * d


def _slice_key(offsets: Ints, out: Ints, stride: Ints, dil: Ints) -> tuple[Any, ...]:
    return (Ellipsis, *(slice(j * d, j * d + st * (o - 1) + 1, st) for j, d, st, o in zip(offsets, dil, stride, out, strict=True)))


def _divisor(
    size: Ints, out: Ints, kernel: Ints, stride: Ints, pad: Ints, count_include_pad: bool, divisor_override: int | None,
) -> np.ndarray | int:
    """Average pooling's divisor per window, on the host (separable: a product of per-dim counts)."""
    if divisor_override is not None:
        return divisor_override
    result = np.ones((), dtype=np.float64)
    for s, o, k, st, p in zip(size, out, kernel, stride, pad, strict=True):
        start = np.arange(o) * st - p
        end = np.minimum(start + k, s + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, s)
        result = np.multiply.outer(result, (end - start).astype(np.float64))
    return result


class PoolKernels:
    """Optional-tier overrides mixed into CupyBackend."""

    xp: ClassVar[Any]

    def _padded(self, x: Any, nb: int, size: Ints, pad: Ints, padded: Ints, value: Any) -> Any:
        if padded == size:
            return x
        out = self.xp.full((*x.shape[:nb], *padded), value, dtype=x.dtype)
        center = (Ellipsis, *(slice(p, p + s) for p, s in zip(pad, size, strict=True)))
        out[center] = x
        return out

    def max_pool(
        self, x: Any, kernel_size: Ints, stride: Ints, padding: Ints, dilation: Ints, ceil_mode: bool,
        with_indices: bool = True,
    ) -> tuple[Any, Any]:
        xp = self.xp
        n = len(kernel_size)
        nb = x.ndim - n
        size = tuple(x.shape[nb:])
        out, padded = _geometry(size, kernel_size, stride, padding, dilation, ceil_mode)
        pos = [_positions(*a) for a in zip(out, kernel_size, stride, padding, dilation, strict=True)]
        real = [(q >= 0) & (q < s) for q, s in zip(pos, size, strict=True)]
        if not all(r.any(axis=1).all() for r in real) or 0 in out or x.size == 0:
            # A window of padding only (PyTorch's index is then past the plane): the reference knows.
            return _reference("max_pool")(self, x, kernel_size, stride, padding, dilation, ceil_mode)
        floating = x.dtype.kind == "f"
        xpad = self._padded(x, nb, size, padding, padded, 0)
        shape = (*x.shape[:nb], *out)
        values: Any = None
        have: Any = None  # windows that have met a real element (only when offset 0 may be padding)
        which = xp.zeros(shape, dtype=xp.int64) if with_indices else None
        strides = [math.prod(size[d + 1:]) for d in range(n)]
        for t, offsets in enumerate(itertools.product(*(range(k) for k in kernel_size))):
            v = xpad[_slice_key(offsets, out, stride, dilation)]
            valid = None  # where this offset is a real element, broadcast over out (None: everywhere)
            if padded != size:
                mask = np.ones((), dtype=bool)
                for d, j in enumerate(offsets):
                    mask = np.logical_and.outer(mask, real[d][:, j])
                if not mask.all():
                    valid = xp.asarray(mask)
            if values is None:
                if valid is None:  # offset 0 is real in every window: start from it
                    values = v.copy()
                    continue
                low = -np.inf if floating else np.iinfo(x.dtype).min
                values = xp.full(shape, low, dtype=x.dtype)
                have = xp.zeros(shape, dtype=bool)
            better = v > values
            if floating:
                better |= xp.isnan(v)
            if valid is not None:
                better &= valid
            if have is not None:
                # A window's first real element replaces the placeholder, whatever its value.
                fresh = xp.logical_not(have) if valid is None else xp.logical_and(valid, xp.logical_not(have))
                better |= fresh
                have |= fresh
            values = xp.where(better, v, values)
            if which is not None:
                which = xp.where(better, t, which)
        assert values is not None
        if which is None:
            return values, None
        # Flat index in the unpadded plane: each window's offset-0 position plus the chosen offset's step.
        steps = np.array([
            sum(j * d * s for j, d, s in zip(offs, dilation, strides, strict=True))
            for offs in itertools.product(*(range(k) for k in kernel_size))
        ], dtype=np.int64)
        starts = np.zeros((), dtype=np.int64)
        for d in range(n):
            starts = np.add.outer(starts, (np.arange(out[d]) * stride[d] - padding[d]) * strides[d])
        return values, xp.asarray(steps)[which] + xp.asarray(starts)

    def max_pool_backward(
        self, grad_out: Any, indices: Any, input_size: Ints,
        kernel_size: Ints | None = None, stride: Ints | None = None, padding: Ints | None = None,
        dilation: Ints | None = None,
    ) -> Any:
        xp = self.xp
        n = len(input_size)
        nb = grad_out.ndim - n
        plane = math.prod(input_size)
        planes = math.prod(grad_out.shape[:nb])
        grad = xp.zeros(planes * plane, dtype=grad_out.dtype)
        if grad_out.size:
            flat = indices.reshape(planes, -1)
            g = grad_out.reshape(planes, -1)
            outside = (flat < 0) | (flat >= plane)  # windows of padding only: their gradient goes nowhere
            if bool(outside.any()):
                flat = xp.where(outside, 0, flat)
                g = xp.where(outside, 0, g).astype(grad_out.dtype)
            where = flat + (xp.arange(planes, dtype=xp.int64) * plane)[:, None]
            self._add_at(grad, (where.reshape(-1),), g.reshape(-1))  # type: ignore[attr-defined]
        return grad.reshape(*grad_out.shape[:nb], *input_size)

    def avg_pool(
        self, x: Any, kernel_size: Ints, stride: Ints, padding: Ints, ceil_mode: bool,
        count_include_pad: bool, divisor_override: int | None,
    ) -> Any:
        n = len(kernel_size)
        ones = (1,) * n
        nb = x.ndim - n
        size = tuple(x.shape[nb:])
        out, padded = _geometry(size, kernel_size, stride, padding, ones, ceil_mode)
        if x.dtype.kind != "f" or 0 in out or x.size == 0:
            return _reference("avg_pool")(self, x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
        acc = np.float32 if x.dtype == np.float16 else x.dtype
        xpad = self._padded(x, nb, size, padding, padded, 0)
        total = None
        for offsets in itertools.product(*(range(k) for k in kernel_size)):
            v = xpad[_slice_key(offsets, out, stride, ones)]
            if total is None:
                total = v.astype(acc)
            else:
                total += v
        assert total is not None
        div = _divisor(size, out, kernel_size, stride, padding, count_include_pad, divisor_override)
        total /= div if isinstance(div, int) else self.xp.asarray(div.astype(acc))
        return total.astype(x.dtype, copy=False)

    def avg_pool_backward(
        self, grad_out: Any, input_size: Ints, kernel_size: Ints, stride: Ints, padding: Ints,
        ceil_mode: bool, count_include_pad: bool, divisor_override: int | None,
    ) -> Any:
        xp = self.xp
        n = len(input_size)
        nb = grad_out.ndim - n
        out = tuple(grad_out.shape[nb:])
        ones = (1,) * n
        acc = np.float32 if grad_out.dtype == np.float16 else grad_out.dtype
        div = _divisor(input_size, out, kernel_size, stride, padding, count_include_pad, divisor_override)
        g = (grad_out / (div if isinstance(div, int) else xp.asarray(div.astype(acc)))).astype(acc, copy=False)
        padded = tuple(
            max(s + 2 * p, (o - 1) * st + k) for s, o, k, st, p in zip(input_size, out, kernel_size, stride, padding, strict=True)
        )
        grad = xp.zeros((*grad_out.shape[:nb], *padded), dtype=acc)
        for offsets in itertools.product(*(range(k) for k in kernel_size)):
            grad[_slice_key(offsets, out, stride, ones)] += g
        crop = (Ellipsis, *(slice(p, p + s) for p, s in zip(padding, input_size, strict=True)))
        return xp.ascontiguousarray(grad[crop]).astype(grad_out.dtype, copy=False)

    def adaptive_avg_pool(self, x: Any, output_size: Ints) -> Any:
        n = len(output_size)
        size = tuple(x.shape[x.ndim - n:])
        if 0 in output_size or x.size == 0 or any(s % o for s, o in zip(size, output_size, strict=True)) or x.dtype.kind != "f":
            return _reference("adaptive_avg_pool")(self, x, output_size)
        widths = tuple(s // o for s, o in zip(size, output_size, strict=True))
        return self.avg_pool(x, widths, widths, (0,) * n, False, True, None)

    def adaptive_avg_pool_backward(self, grad_out: Any, input_size: Ints) -> Any:
        n = len(input_size)
        out = tuple(grad_out.shape[grad_out.ndim - n:])
        if 0 in out or grad_out.size == 0 or any(s % o for s, o in zip(input_size, out, strict=True)):
            return _reference("adaptive_avg_pool_backward")(self, grad_out, input_size)
        widths = tuple(s // o for s, o in zip(input_size, out, strict=True))
        return self.avg_pool_backward(grad_out, input_size, widths, widths, (0,) * n, False, True, None)

    def adaptive_max_pool(self, x: Any, output_size: Ints) -> tuple[Any, Any]:
        n = len(output_size)
        size = tuple(x.shape[x.ndim - n:])
        if 0 in output_size or x.size == 0 or any(s % o for s, o in zip(size, output_size, strict=True)):
            return _reference("adaptive_max_pool")(self, x, output_size)
        widths = tuple(s // o for s, o in zip(size, output_size, strict=True))
        return self.max_pool(x, widths, widths, (0,) * n, (1,) * n, False)
