"""Reference pooling kernels: max (with indices), average, adaptive average, adaptive max.

One N-d kernel per family. A kernel pools the trailing ``len(kernel_size)`` (or
``len(output_size)``) dims of ``x``, the *spatial* dims; every leading dim is a
batch dim (``(N, C)``, or ``(C,)`` for unbatched input). Core has checked the
arguments: sizes, strides and dilations are positive, padding is at most half the
(effective) kernel, every output size is at least 1 (adaptive pools: at least 0),
spatial dims are non-empty, and the dtype is one the op accepts.

Indices follow PyTorch: int64, the flat (C-order) index of the chosen element
within its plane's spatial dims (``h * W + w`` in 2-d), whatever the batch dims.
Ties keep the first maximum in window order; a NaN is the maximum and, as in
PyTorch's loops (``if val > max or isnan(val)``), the *last* NaN of a window wins.
Padding never wins: where every real element of a window equals the padding value
(-inf, or an integer dtype's minimum) the index is the window's first real element.

Windows are gathered with one strided slice per kernel offset (a Python loop over
the kernel's ``prod(kernel_size)`` offsets, never over elements), which needs only
``getitem`` with positive steps and so runs on backends without strided views.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from typing import Any

from ember import _dtypes as D
from ember._dtypes import dtype
from ember.backends._optional import optional_kernel

__all__ = [
    "pool_output_size", "max_pool", "max_pool_backward", "avg_pool", "avg_pool_backward",
    "adaptive_avg_pool", "adaptive_avg_pool_backward", "adaptive_max_pool", "adaptive_windows",
]

Array = Any
Ints = tuple[int, ...]
Samples = Iterator[tuple[tuple[Any, ...], dict[str, Any]]]


def pool_output_size(size: int, kernel: int, stride: int, pad: int, dilation: int, ceil_mode: bool) -> int:
    """PyTorch's ``pooling_output_shape``: windows along one dim of ``size`` elements.

    With ``ceil_mode`` a last, partial window is kept only if it starts inside the
    input or its left padding (never in the right padding alone).
    """
    span = size + 2 * pad - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = span // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def adaptive_windows(size: int, out: int) -> tuple[list[int], list[int]]:
    """PyTorch's adaptive windows along one dim: ``[floor(i*size/out), ceil((i+1)*size/out))``."""
    starts = [i * size // out for i in range(out)]
    ends = [-(-(i + 1) * size // out) for i in range(out)]
    return starts, ends


# -- allocation on the input's device ------------------------------------------------------------

def _full(bk: Any, like: Array, shape: Ints, value: Any, dt: dtype) -> Array:
    """A C-contiguous ``shape`` array of ``value`` on ``like``'s device (``like`` has >= 1 dim).

    ``bk.full`` needs a device index, which native arrays do not carry; the sum of an
    empty slice of ``like`` is an exact zero on its device, from which the fill is made.
    """
    zero = bk.sum(bk.getitem(like, (slice(0, 0),) * len(like.shape)), None, False, dt)
    return bk.copy(bk.broadcast_to(bk.add(zero, value), shape))


def _arange(bk: Any, like: Array, n: int) -> Array:
    """int64 ``0 .. n-1`` on ``like``'s device."""
    return bk.subtract(bk.cumulative_sum(_full(bk, like, (n,), 1, D.int64), 0, D.int64), 1)


def _along(bk: Any, vector: Array, axis: int, ndim: int) -> Array:
    """A 1-d array reshaped to broadcast along ``axis`` of an ``ndim``-d array."""
    shape = [1] * ndim
    shape[axis] = vector.shape[0]
    return bk.reshape(vector, tuple(shape), None)


def _lowest(dt: dtype) -> float | int:
    """The padding value of max pooling: below (or equal to) every value of ``dt``."""
    if dt.is_floating_point:
        return -math.inf
    return -(2 ** (8 * dt.itemsize - 1)) if dt.is_signed else 0


# -- shared window machinery ---------------------------------------------------------------------

def _padded(
    bk: Any, x: Array, n: int, out: Ints, kernel: Ints, stride: Ints, pad: Ints, dilation: Ints, value: Any,
) -> Array:
    """``x`` with ``pad`` elements of ``value`` before each spatial dim, and after it as many as
    the windows reach (``pad``, or more where ceil_mode's last window overhangs)."""
    nb = len(x.shape) - n
    size = x.shape[nb:]
    padded = tuple(
        max(s + 2 * p, (o - 1) * st + (k - 1) * d + 1)
        for s, o, k, st, p, d in zip(size, out, kernel, stride, pad, dilation, strict=True)
    )
    if padded == tuple(size):
        return x
    xp = _full(bk, x, (*x.shape[:nb], *padded), value, bk.ember_dtype(x.dtype))
    bk.setitem(xp, (slice(None),) * nb + tuple(slice(p, p + s) for p, s in zip(pad, size, strict=True)), x)
    return xp


def _offset_keys(nb: int, out: Ints, kernel: Ints, stride: Ints, dilation: Ints) -> Iterator[tuple[Any, ...]]:
    """For each kernel offset in C order, the key selecting that offset's element of every window."""
    for offsets in itertools.product(*(range(k) for k in kernel)):
        yield (slice(None),) * nb + tuple(
            slice(j * d, j * d + st * (o - 1) + 1, st)
            for j, d, st, o in zip(offsets, dilation, stride, out, strict=True)
        )


def _window_argmax(bk: Any, win: Array, floating: bool) -> Array:
    """Per window (last axis): the first maximum's position, or the last NaN's if there is one."""
    axis = len(win.shape) - 1
    j = bk.argmax(win, axis, False)
    if floating:
        nan = bk.isnan(win)
        if bk.item(bk.any(nan, None, False)):
            # 1 + position where NaN, else 0; its maximum - 1 is the last NaN (or -1: none).
            pos = bk.add(_arange(bk, win, win.shape[axis]), 1)
            last = bk.subtract(bk.max(bk.where(nan, pos, _full(bk, win, (), 0, D.int64)), axis, False), 1)
            j = bk.where(bk.greater_equal(last, 0), last, j)
    return j


def _flat_index(bk: Any, coords: Sequence[Array], size: Ints) -> Array:
    """``sum(coords[d] * prod(size[d+1:]))``: the flat spatial index (C order)."""
    flat = None
    for d, c in enumerate(coords):
        term = bk.multiply(c, math.prod(size[d + 1:]))
        flat = term if flat is None else bk.add(flat, term)
    return flat


def _unravel(bk: Any, j: Array, kernel: Ints) -> list[Array]:
    """A window position (C order over ``kernel``) split into one offset per spatial dim."""
    offsets: list[Array] = []
    for k in reversed(kernel):
        offsets.append(bk.remainder(j, k))
        j = bk.floor_divide(j, k)
    return offsets[::-1]


# -- max pooling ----------------------------------------------------------------------------------

def _max_pool_samples(bk: Any, rng: Any) -> Samples:
    def arr(shape: Ints, ties: bool = False) -> Array:
        a = rng.integers(-3, 3, shape).astype("float32") if ties else rng.standard_normal(shape).astype("float32")
        return bk.asarray(a, D.float32, None, None)

    yield (arr((2, 3, 8, 8)), (2, 2), (2, 2), (0, 0), (1, 1), False), {}
    yield (arr((2, 3, 7, 9), ties=True), (3, 3), (2, 2), (1, 1), (1, 1), False), {}
    yield (arr((1, 2, 7, 7), ties=True), (3, 2), (2, 3), (1, 1), (2, 1), True), {}
    yield (arr((3, 10)), (3,), (2,), (1,), (1,), True), {}
    yield (arr((1, 2, 5, 4, 6)), (2, 2, 3), (2, 1, 2), (1, 0, 1), (1, 2, 1), True), {}
    yield (arr((0, 3, 4, 4)), (2, 2), (2, 2), (0, 0), (1, 1), False), {}
    a = rng.standard_normal((1, 2, 6, 6)).astype("float32")
    a[0, 0, 1, 1] = a[0, 1, 4, 2] = a[0, 1, 4, 3] = float("nan")
    a[0, 0, :2, 2:4] = -float("inf")
    yield (bk.asarray(a, D.float32, None, None), (3, 3), (2, 2), (1, 1), (1, 1), True), {}
    yield (bk.asarray(rng.integers(-5, 5, (2, 6, 6)), D.int64, None, None), (2, 2), (1, 2), (1, 1), (1, 1), False), {}


@optional_kernel(samples=_max_pool_samples)
def max_pool(
    bk: Any, x: Array, kernel_size: Ints, stride: Ints, padding: Ints, dilation: Ints, ceil_mode: bool,
    with_indices: bool = True,
) -> tuple[Array, Array | None]:
    """N-d max pooling with indices: ``(values, indices)``, both of shape ``(*batch, *out)``.

    ``x`` is ``(*batch, *spatial)`` with ``len(kernel_size)`` spatial dims, of a floating or
    integer dtype; ``kernel_size``, ``stride``, ``padding``, ``dilation`` are tuples of that
    length; ``out`` along each dim is :func:`pool_output_size`. Window ``o`` covers input
    positions ``o*stride - padding + j*dilation`` for ``j < kernel``; positions outside the
    input are padding and never chosen. ``values`` has ``x``'s dtype; ``indices`` are int64
    flat spatial indices (see the module docstring for ties, NaN and all-padding windows).
    With ``with_indices=False`` only the values are needed and ``indices`` may be None.
    """
    n = len(kernel_size)
    nb = len(x.shape) - n
    size = tuple(x.shape[nb:])
    out = tuple(
        pool_output_size(s, k, st, p, d, ceil_mode)
        for s, k, st, p, d in zip(size, kernel_size, stride, padding, dilation, strict=True)
    )
    dt = bk.ember_dtype(x.dtype)
    xp = _padded(bk, x, n, out, kernel_size, stride, padding, dilation, _lowest(dt))
    win = bk.stack([bk.getitem(xp, key) for key in _offset_keys(nb, out, kernel_size, stride, dilation)], nb + n)
    values = bk.max(win, nb + n, False)
    if not with_indices:
        return values, None
    offsets = _unravel(bk, _window_argmax(bk, win, dt.is_floating_point), kernel_size)
    ndim = nb + n
    coords, firsts, outside = [], [], None
    for d in range(n):
        start = bk.subtract(bk.multiply(_along(bk, _arange(bk, x, out[d]), nb + d, ndim), stride[d]), padding[d])
        coord = bk.add(start, bk.multiply(offsets[d], dilation[d]))
        coords.append(coord)
        if xp is not x:
            # PyTorch starts each window at its first real element: start + ceil(-start / dil) * dil.
            skip = bk.multiply(bk.floor_divide(bk.subtract(dilation[d] - 1, start), dilation[d]), dilation[d])
            firsts.append(bk.where(bk.less(start, 0), bk.add(start, skip), start))
            bad = bk.logical_or(bk.less(coord, 0), bk.greater_equal(coord, size[d]))
            outside = bad if outside is None else bk.logical_or(outside, bad)
    indices = _flat_index(bk, coords, size)
    if outside is not None:
        indices = bk.where(outside, _flat_index(bk, firsts, size), indices)
    return values, indices


def _max_pool_backward_samples(bk: Any, rng: Any) -> Samples:
    for (x, kernel, stride, pad, dil, ceil), _ in _max_pool_samples(bk, rng):
        if not bk.ember_dtype(x.dtype).is_floating_point:
            continue
        values, indices = max_pool(bk, x, kernel, stride, pad, dil, ceil)
        g = bk.asarray(rng.standard_normal(values.shape).astype("float32"), D.float32, None, None)
        n = len(kernel)
        yield (g, indices, tuple(x.shape[len(x.shape) - n:])), {
            "kernel_size": kernel, "stride": stride, "padding": pad, "dilation": dil,
        }


@optional_kernel(samples=_max_pool_backward_samples)
def max_pool_backward(
    bk: Any, grad_out: Array, indices: Array, input_size: Ints,
    kernel_size: Ints | None = None, stride: Ints | None = None, padding: Ints | None = None,
    dilation: Ints | None = None,
) -> Array:
    """Gradient of max pooling (and adaptive max pooling) from its indices.

    ``grad_out`` (floating) and ``indices`` (int64, as :func:`max_pool` returns them) are
    ``(*batch, *out)``; ``input_size`` is the input's spatial shape. Returns the
    ``(*batch, *input_size)`` array, in ``grad_out``'s dtype, that is zero except
    ``grad_in[b][indices[b, o]] += grad_out[b, o]``: where windows overlap, every window's
    gradient reaching one element is summed; indices outside the plane (windows of padding
    only) contribute nothing. The window geometry (all four given or none)
    is a hint an override may use for a faster path; the result must not depend on it.
    """
    n = len(input_size)
    nb = len(grad_out.shape) - n
    batch = tuple(grad_out.shape[:nb])
    dt = bk.ember_dtype(grad_out.dtype)
    cells = math.prod(grad_out.shape[nb:])
    grad_in = _full(bk, grad_out, (*batch, math.prod(input_size)), 0, dt)
    if cells:
        g = bk.reshape(grad_out, (*batch, cells), None)
        idx = bk.reshape(indices, (*batch, cells), None)
        # A window of padding only has PyTorch's index past the plane; its gradient goes nowhere.
        outside = bk.logical_or(bk.less(idx, 0), bk.greater_equal(idx, math.prod(input_size)))
        if bk.item(bk.any(outside, None, False)):
            idx = bk.where(outside, _full(bk, idx, (), 0, D.int64), idx)
            g = bk.where(outside, _full(bk, g, (), 0, dt), g)
        bk.scatter_add(grad_in, nb, idx, g)
    return bk.reshape(grad_in, (*batch, *input_size), None)


# -- average pooling -----------------------------------------------------------------------------

def _avg_geometry(
    x_shape: Ints, n: int, kernel: Ints, stride: Ints, padding: Ints, ceil_mode: bool,
) -> tuple[int, Ints, Ints]:
    nb = len(x_shape) - n
    size = tuple(x_shape[nb:])
    out = tuple(
        pool_output_size(s, k, st, p, 1, ceil_mode) for s, k, st, p in zip(size, kernel, stride, padding, strict=True)
    )
    return nb, size, out


def _divisor(
    bk: Any, like: Array, size: Ints, out: Ints, kernel: Ints, stride: Ints, padding: Ints,
    count_include_pad: bool, divisor_override: int | None, dt: dtype,
) -> Any:
    """Each window's divisor (an ``out``-shaped array), or the override (a Python int).

    PyTorch divides by the window's size clipped to the padded input (ceil_mode's
    overhang never counts) or, without ``count_include_pad``, by its real elements:
    the window sums of a mask that is 1 on the counted region.
    """
    if divisor_override is not None:
        return divisor_override
    n = len(size)
    ones = (1,) * n
    mask = _padded(bk, _full(bk, like, size, 1, dt), n, out, kernel, stride, padding, ones, 0)
    if count_include_pad and any(padding):
        region = tuple(slice(0, s + 2 * p) for s, p in zip(size, padding, strict=True))
        bk.setitem(mask, region, 1)
    count = None
    for key in _offset_keys(0, out, kernel, stride, ones):
        part = bk.getitem(mask, key)
        count = part if count is None else bk.add(count, part)
    return count


def _sum_dtype(dt: dtype) -> dtype:
    return D.float32 if dt is D.float16 else dt


def _avg_pool_samples(bk: Any, rng: Any) -> Samples:
    def arr(shape: Ints) -> Array:
        return bk.asarray(rng.standard_normal(shape).astype("float32"), D.float32, None, None)

    yield (arr((2, 3, 8, 8)), (2, 2), (2, 2), (0, 0), False, True, None), {}
    yield (arr((2, 3, 7, 9)), (3, 3), (2, 2), (1, 1), True, True, None), {}
    yield (arr((2, 3, 7, 9)), (3, 3), (2, 2), (1, 1), True, False, None), {}
    yield (arr((1, 2, 5, 5)), (3, 2), (2, 3), (1, 1), False, True, 5), {}
    yield (arr((3, 10)), (4,), (3,), (2,), True, False, None), {}
    yield (arr((1, 2, 5, 4, 6)), (2, 2, 3), (2, 1, 2), (1, 0, 1), True, True, None), {}
    yield (bk.asarray(rng.integers(-9, 9, (2, 5, 5)), D.int64, None, None), (2, 2), (2, 2), (1, 0), True, False, None), {}


@optional_kernel(samples=_avg_pool_samples)
def avg_pool(
    bk: Any, x: Array, kernel_size: Ints, stride: Ints, padding: Ints, ceil_mode: bool,
    count_include_pad: bool, divisor_override: int | None,
) -> Array:
    """N-d average pooling: ``(*batch, *spatial)`` to ``(*batch, *out)``, in ``x``'s dtype.

    Windows as in :func:`max_pool` with dilation 1 and zero padding. Each window's sum is
    divided by ``divisor_override`` if given, else by its size clipped to the padded input
    (``count_include_pad``) or by its number of real elements. ``x`` is floating or int64;
    for int64 the quotient truncates towards zero, as PyTorch's integer kernel does.
    """
    n = len(kernel_size)
    nb, size, out = _avg_geometry(tuple(x.shape), n, kernel_size, stride, padding, ceil_mode)
    dt = bk.ember_dtype(x.dtype)
    acc_dt = _sum_dtype(dt)
    if acc_dt is not dt:
        x = bk.astype(x, acc_dt)
    ones = (1,) * n
    xp = _padded(bk, x, n, out, kernel_size, stride, padding, ones, 0)
    total = None
    for key in _offset_keys(nb, out, kernel_size, stride, ones):
        part = bk.getitem(xp, key)
        total = bk.copy(part) if total is None else bk.add(total, part)
    div = _divisor(bk, x, size, out, kernel_size, stride, padding, count_include_pad, divisor_override,
                   D.float64 if dt is D.int64 else acc_dt)
    if dt is D.int64:
        return bk.astype(bk.divide(bk.astype(total, D.float64), div), D.int64)
    result = bk.divide(total, div)
    return result if acc_dt is dt else bk.astype(result, dt)


def _avg_pool_backward_samples(bk: Any, rng: Any) -> Samples:
    for (x, kernel, stride, pad, ceil, include, override), _ in _avg_pool_samples(bk, rng):
        if not bk.ember_dtype(x.dtype).is_floating_point:
            continue
        y = avg_pool(bk, x, kernel, stride, pad, ceil, include, override)
        g = bk.asarray(rng.standard_normal(y.shape).astype("float32"), D.float32, None, None)
        n = len(kernel)
        yield (g, tuple(x.shape[len(x.shape) - n:]), kernel, stride, pad, ceil, include, override), {}


@optional_kernel(samples=_avg_pool_backward_samples)
def avg_pool_backward(
    bk: Any, grad_out: Array, input_size: Ints, kernel_size: Ints, stride: Ints, padding: Ints,
    ceil_mode: bool, count_include_pad: bool, divisor_override: int | None,
) -> Array:
    """Gradient of :func:`avg_pool`: ``grad_out`` ``(*batch, *out)`` (floating) to
    ``(*batch, *input_size)`` in its dtype; each window spreads ``grad / divisor`` over its
    real elements, summed where windows overlap."""
    n = len(kernel_size)
    nb = len(grad_out.shape) - n
    batch = tuple(grad_out.shape[:nb])
    out = tuple(grad_out.shape[nb:])
    dt = bk.ember_dtype(grad_out.dtype)
    acc_dt = _sum_dtype(dt)
    g = grad_out if acc_dt is dt else bk.astype(grad_out, acc_dt)
    div = _divisor(bk, g, input_size, out, kernel_size, stride, padding, count_include_pad, divisor_override, acc_dt)
    g = bk.divide(g, div)
    ones = (1,) * n
    padded = tuple(
        max(s + 2 * p, (o - 1) * st + k) for s, o, k, st, p in zip(input_size, out, kernel_size, stride, padding, strict=True)
    )
    grad = _full(bk, g, (*batch, *padded), 0, acc_dt)
    for key in _offset_keys(nb, out, kernel_size, stride, ones):
        bk.setitem(grad, key, bk.add(bk.getitem(grad, key), g))
    if padded != tuple(input_size):
        crop = (slice(None),) * nb + tuple(slice(p, p + s) for p, s in zip(padding, input_size, strict=True))
        grad = bk.copy(bk.getitem(grad, crop))
    return grad if acc_dt is dt else bk.astype(grad, dt)


# -- adaptive pooling -----------------------------------------------------------------------------

def _window_bounds(bk: Any, like: Array, size: int, out: int) -> tuple[Array, Array]:
    """int64 ``(starts, ends)`` of the adaptive windows, as device arrays of length ``out``."""
    i = _arange(bk, like, out)
    starts = bk.floor_divide(bk.multiply(i, size), out)
    ends = bk.floor_divide(bk.add(bk.multiply(bk.add(i, 1), size), out - 1), out)
    return starts, ends


def _gather_windows(bk: Any, like: Array, size: int, out: int) -> tuple[Array, Array, Array, int]:
    """One dim's adaptive windows as fixed-width gathers: ``(positions, valid, counts, width)``.

    ``positions`` (int64, ``out * width``) lists each window's input positions, padded
    by repeating its last one; ``valid`` (bool, ``(out, width)``) marks the real ones;
    ``counts`` (int64, ``out``) is each window's size.
    """
    starts, ends = adaptive_windows(size, out)
    width = max(e - s for s, e in zip(starts, ends, strict=True))
    s_dev, e_dev = _window_bounds(bk, like, size, out)
    t = bk.reshape(_arange(bk, like, width), (1, width), None)
    first = bk.reshape(s_dev, (out, 1), None)
    last = bk.subtract(bk.reshape(e_dev, (out, 1), None), 1)
    pos = bk.add(first, t)
    valid = bk.less_equal(pos, last)
    flat = bk.reshape(bk.minimum(pos, last), (out * width,), None)
    return flat, valid, bk.subtract(e_dev, s_dev), width


def _split_shape(shape: Ints, axis: int, out: int, width: int) -> Ints:
    return (*shape[:axis], out, width, *shape[axis + 1:])


def _broadcast_mask(bk: Any, valid: Array, axis: int, ndim: int) -> Array:
    """``(out, width)`` reshaped to broadcast against an array split at ``axis`` (``ndim + 1`` dims)."""
    shape = [1] * (ndim + 1)
    shape[axis], shape[axis + 1] = valid.shape
    return bk.reshape(valid, tuple(shape), None)


def _adaptive_samples(bk: Any, rng: Any) -> Samples:
    def arr(shape: Ints) -> Array:
        return bk.asarray(rng.standard_normal(shape).astype("float32"), D.float32, None, None)

    yield (arr((2, 3, 8, 8)), (4, 4)), {}
    yield (arr((2, 3, 7, 9)), (3, 5)), {}
    yield (arr((2, 3, 5, 5)), (7, 1)), {}
    yield (arr((3, 10)), (4,)), {}
    yield (arr((1, 2, 5, 4, 6)), (2, 3, 4)), {}
    yield (arr((0, 3, 4, 4)), (2, 2)), {}
    yield (arr((2, 4, 4)), (0, 3)), {}


@optional_kernel(samples=_adaptive_samples)
def adaptive_avg_pool(bk: Any, x: Array, output_size: Ints) -> Array:
    """N-d adaptive average pooling: ``(*batch, *spatial)`` (floating) to ``(*batch, *output_size)``.

    Along each spatial dim of size ``L``, output ``i`` averages input positions
    ``floor(i*L/out) <= j < ceil((i+1)*L/out)`` (windows may overlap or have
    different sizes); the N-d window is the product of the per-dim ones, so a NaN or
    an infinity reaches exactly the outputs whose windows hold it.
    """
    n = len(output_size)
    nb = len(x.shape) - n
    dt = bk.ember_dtype(x.dtype)
    if 0 in output_size:
        return _full(bk, x, (*x.shape[:nb], *output_size), 0, dt)
    zero = _full(bk, x, (), 0, dt)
    for d, o in enumerate(output_size):
        size, axis = x.shape[nb + d], nb + d
        if size == o:
            continue
        flat, valid, counts, width = _gather_windows(bk, x, size, o)
        g = bk.reshape(bk.take(x, flat, axis), _split_shape(tuple(x.shape), axis, o, width), None)
        # where(), not a multiplication by the mask: 0 * inf would be NaN.
        g = bk.where(_broadcast_mask(bk, valid, axis, len(x.shape)), g, zero)
        x = bk.divide(bk.sum(g, axis + 1, False, dt), _along(bk, bk.astype(counts, dt), axis, len(x.shape)))
    return x


def _adaptive_backward_samples(bk: Any, rng: Any) -> Samples:
    for (x, out), _ in _adaptive_samples(bk, rng):
        n = len(out)
        shape = (*x.shape[: len(x.shape) - n], *out)
        g = bk.asarray(rng.standard_normal(shape).astype("float32"), D.float32, None, None)
        yield (g, tuple(x.shape[len(x.shape) - n:])), {}


@optional_kernel(samples=_adaptive_backward_samples)
def adaptive_avg_pool_backward(bk: Any, grad_out: Array, input_size: Ints) -> Array:
    """Gradient of :func:`adaptive_avg_pool`: ``(*batch, *out)`` to ``(*batch, *input_size)``;
    each output's gradient is spread evenly over its window, summed where windows overlap."""
    n = len(input_size)
    nb = len(grad_out.shape) - n
    dt = bk.ember_dtype(grad_out.dtype)
    if 0 in grad_out.shape[nb:]:
        return _full(bk, grad_out, (*grad_out.shape[:nb], *input_size), 0, dt)
    g = grad_out
    zero = _full(bk, g, (), 0, dt)
    for d, size in enumerate(input_size):
        o, axis = g.shape[nb + d], nb + d
        if size == o:
            continue
        flat, valid, counts, width = _gather_windows(bk, g, size, o)
        share = bk.divide(g, _along(bk, bk.astype(counts, dt), axis, len(g.shape)))
        split = _split_shape(tuple(g.shape), axis, o, width)
        mask = _broadcast_mask(bk, valid, axis, len(g.shape))
        expanded = bk.reshape(share, _split_shape(tuple(g.shape), axis, o, 1), None)
        src = bk.where(mask, bk.broadcast_to(expanded, split), zero)
        merged = (*g.shape[:axis], o * width, *g.shape[axis + 1:])
        src = bk.reshape(src, merged, None)
        index = bk.broadcast_to(_along(bk, flat, axis, len(g.shape)), merged)
        result = _full(bk, g, (*g.shape[:axis], size, *g.shape[axis + 1:]), 0, dt)
        bk.scatter_add(result, axis, bk.copy(index), src)
        g = result
    return g


@optional_kernel(samples=_adaptive_samples)
def adaptive_max_pool(bk: Any, x: Array, output_size: Ints) -> tuple[Array, Array]:
    """N-d adaptive max pooling with indices, windows as in :func:`adaptive_avg_pool`.

    ``x`` is floating; returns ``(values, indices)`` of shape ``(*batch, *output_size)``
    with the index rules of :func:`max_pool` (first maximum, last NaN). Its gradient is
    :func:`max_pool_backward`.
    """
    n = len(output_size)
    nb = len(x.shape) - n
    batch = tuple(x.shape[:nb])
    size = tuple(x.shape[nb:])
    if 0 in output_size:
        dt = bk.ember_dtype(x.dtype)
        shape = (*batch, *output_size)
        return _full(bk, x, shape, 0, dt), _full(bk, x, shape, 0, D.int64)
    # Windows of one dim have at most `width` elements; shorter ones repeat their last
    # element, which changes neither the maximum nor the first/last occurrence it maps to.
    positions, widths = [], []
    g = x
    for d in range(n):
        starts, ends = adaptive_windows(size[d], output_size[d])
        width = max(e - s for s, e in zip(starts, ends, strict=True))
        s_dev, e_dev = _window_bounds(bk, x, size[d], output_size[d])
        t = bk.reshape(_arange(bk, x, width), (1, width), None)
        pos = bk.minimum(bk.add(bk.reshape(s_dev, (-1, 1), None), t), bk.subtract(bk.reshape(e_dev, (-1, 1), None), 1))
        flat = bk.reshape(pos, (output_size[d] * width,), None)
        g = bk.take(g, flat, nb + d)
        positions.append(flat)
        widths.append(width)
    split = (*batch, *itertools.chain.from_iterable(zip(output_size, widths, strict=True)))
    g = bk.reshape(g, split, None)
    order = (*range(nb), *(nb + 2 * d for d in range(n)), *(nb + 2 * d + 1 for d in range(n)))
    win = bk.reshape(bk.permute_dims(g, order), (*batch, *output_size, math.prod(widths)), None)
    dt = bk.ember_dtype(x.dtype)
    values = bk.max(win, nb + n, False)
    offsets = _unravel(bk, _window_argmax(bk, win, dt.is_floating_point), tuple(widths))
    ndim = nb + n
    coords = []
    for d in range(n):
        o = _along(bk, _arange(bk, x, output_size[d]), nb + d, ndim)
        coords.append(bk.take(positions[d], bk.add(bk.multiply(o, widths[d]), offsets[d]), 0))
    return values, _flat_index(bk, coords, size)
