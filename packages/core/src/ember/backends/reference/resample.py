"""Reference kernels: padding (constant, reflect, replicate, circular) and interpolation
(nearest, nearest-exact, linear/bilinear/trilinear, bicubic), forward and backward.

Both are separable: along each resampled axis, every output position reads a few
input positions (its *taps*) with weights. The forward is ``take`` per tap times
its weight; the backward scatter-adds the gradient back through the same taps.
Index and weight vectors are built on the device from the input itself (never
from a host list), so these run unchanged on any backend.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ember._dtypes import dtype, float32, float64, int64
from ember.backends._optional import optional_kernel

__all__ = ["pad", "pad_backward", "interpolate", "interpolate_backward", "zeros_on", "arange_on"]

Samples = Iterator[tuple[tuple[Any, ...], dict[str, Any]]]
Tap = tuple[Any, Any]  # (int64 index vector, weight vector or None)

CUBIC_A = -0.75  # PyTorch's (and OpenCV's) bicubic convolution coefficient


def zeros_on(bk: Any, like: Any, shape: tuple[int, ...], dt: dtype) -> Any:
    """A C-contiguous zero array of ``dt`` on ``like``'s device (the sum of an empty slice of it)."""
    flat = like if like.ndim else bk.reshape(like, (1,), None)
    zero = bk.sum(bk.getitem(flat, (slice(0, 0),) * flat.ndim), None, False, dt)
    return bk.copy(bk.broadcast_to(zero, shape))


def arange_on(bk: Any, like: Any, n: int, dt: dtype) -> Any:
    """``0, 1, ..., n - 1`` in ``dt`` on ``like``'s device."""
    return bk.subtract(bk.cumulative_sum(bk.add(zeros_on(bk, like, (n,), dt), 1), 0, dt), 1)


def _along(bk: Any, v: Any, axis: int, ndim: int) -> Any:
    """A vector shaped to broadcast along ``axis`` of an ``ndim``-dimensional array."""
    return bk.reshape(v, tuple(-1 if d == axis else 1 for d in range(ndim)), None)


def _gather(bk: Any, x: Any, taps: Sequence[Tap], axis: int) -> Any:
    out = None
    for idx, w in taps:
        term = bk.take(x, idx, axis)
        if w is not None:
            term = bk.multiply(term, _along(bk, w, axis, x.ndim))
        out = term if out is None else bk.add(out, term)
    return out


def _scatter(bk: Any, g: Any, taps: Sequence[Tap], axis: int, n: int) -> Any:
    """The adjoint of :func:`_gather`: sums ``g`` back onto an axis of length ``n``."""
    shape = tuple(n if d == axis else s for d, s in enumerate(g.shape))
    out = zeros_on(bk, g, shape, bk.ember_dtype(g.dtype))
    for idx, w in taps:
        src = g if w is None else bk.multiply(g, _along(bk, w, axis, g.ndim))
        bk.scatter_add(out, axis, bk.broadcast_to(_along(bk, idx, axis, g.ndim), tuple(g.shape)), src)
    return out


# -- padding ----------------------------------------------------------------------

def _pad_samples(bk: Any, rng: Any) -> Samples:
    cases = (((2, 5), ((1, 2),), "constant", 1.5), ((2, 3, 4), ((2, -1),), "reflect", None),
             ((1, 2, 3, 4), ((1, 1), (2, 3)), "replicate", None), ((2, 3, 4), ((0, 3),), "circular", None),
             ((1, 1, 3, 3, 3), ((1, 1), (2, 0), (0, 2)), "reflect", None), ((2, 4), ((-1, 2),), "constant", 0.0))
    for shape, pads, mode, value in cases:
        yield (bk.asarray(rng.standard_normal(shape), float32, None, None), pads, mode, value), {}


def _pad_backward_samples(bk: Any, rng: Any) -> Samples:
    for (x, pads, mode, _), _ in _pad_samples(bk, rng):
        out = pad(bk, x, pads, mode, 0.0)
        g = bk.asarray(rng.standard_normal(tuple(out.shape)), float32, None, None)
        yield (g, tuple(x.shape), pads, mode), {}


def _pad_taps(bk: Any, like: Any, n: int, before: int, after: int, mode: str) -> list[Tap]:
    j = arange_on(bk, like, n + before + after, int64)
    if mode == "circular":  # PyTorch crops negative pads first, then wraps within what is left
        lo, kept = max(-before, 0), n - max(-before, 0) - max(-after, 0)
        return [(bk.add(bk.remainder(bk.subtract(j, max(before, 0)), kept), lo), None)]
    i = bk.subtract(j, before)  # source position, unwrapped
    if mode == "reflect":  # mirror about 0 and n - 1 without repeating the edge (needs pads < n)
        i = bk.subtract(n - 1, bk.abs(bk.subtract(n - 1, bk.abs(i))))
    else:  # replicate
        i = bk.clip(i, 0, n - 1)
    return [(i, None)]


@optional_kernel(samples=_pad_samples)
def pad(bk: Any, x: Any, pads: tuple[tuple[int, int], ...], mode: str, value: Any) -> Any:
    """Pad the last ``len(pads)`` axes: ``pads[k] = (before, after)`` for axis ``ndim - len(pads) + k``.

    ``mode``: ``"constant"`` fills with ``value`` (cast to ``x``'s dtype; negative pads crop),
    ``"reflect"`` mirrors without repeating the edge (``|pad| < size``), ``"replicate"`` repeats the
    edge, ``"circular"`` wraps around (``|pad| <= size``). Core has checked every size; each output
    axis has length ``size + before + after >= 0``.
    """
    first = x.ndim - len(pads)
    out_shape = tuple(x.shape[:first]) + tuple(n + b + a for n, (b, a) in zip(x.shape[first:], pads, strict=True))
    if mode != "constant":
        for k, (b, a) in enumerate(pads):
            x = _gather(bk, x, _pad_taps(bk, x, x.shape[first + k], b, a, mode), first + k)
        return x
    out = zeros_on(bk, x, out_shape, bk.ember_dtype(x.dtype))
    if value:
        bk.copy_into(out, value)
    src: list[Any] = [slice(None)] * first
    dst: list[Any] = [slice(None)] * first
    for n, (b, a) in zip(x.shape[first:], pads, strict=True):
        start, stop = max(-b, 0), n - max(-a, 0)
        if stop <= start:
            return out  # every input element is cropped away
        src.append(slice(start, stop))
        dst.append(slice(max(b, 0), max(b, 0) + stop - start))
    bk.setitem(out, tuple(dst), bk.getitem(x, tuple(src)))
    return out


@optional_kernel(samples=_pad_backward_samples)
def pad_backward(bk: Any, grad_out: Any, in_shape: tuple[int, ...], pads: tuple[tuple[int, int], ...], mode: str) -> Any:
    """Gradient of ``pad`` with respect to its input (shape ``in_shape``): for ``"constant"`` the
    un-padded window of ``grad_out`` (zeros where the forward cropped); otherwise the sum, into each
    input position, of the gradient at every output position that copied it."""
    first = len(in_shape) - len(pads)
    if mode == "constant":
        return pad(bk, grad_out, tuple((-b, -a) for b, a in pads), "constant", 0)
    g = grad_out
    for k in reversed(range(len(pads))):
        b, a = pads[k]
        n = in_shape[first + k]
        g = _scatter(bk, g, _pad_taps(bk, g, n, b, a, mode), first + k, n)
    return g


# -- interpolation ------------------------------------------------------------------

def _interpolate_samples(bk: Any, rng: Any) -> Samples:
    cases = (((1, 2, 5), (8,), "linear", False, (None,)), ((2, 1, 4, 3), (7, 5), "linear", True, (None, None)),
             ((1, 2, 4, 4), (6, 3), "nearest", None, (1.5, 0.75)), ((1, 1, 5), (3,), "nearest-exact", None, (None,)),
             ((1, 2, 3, 4), (5, 6), "bicubic", False, (None, None)), ((1, 2, 7), (3,), "area", None, (None,)), ((1, 1, 2, 3, 2), (3, 4, 4), "linear", False,
                                                                      (None, None, None)))
    for shape, size, mode, align, scales in cases:
        yield (bk.asarray(rng.standard_normal(shape), float32, None, None), size, mode, align, scales), {}


def _interpolate_backward_samples(bk: Any, rng: Any) -> Samples:
    for (x, size, mode, align, scales), _ in _interpolate_samples(bk, rng):
        g = bk.asarray(rng.standard_normal((*x.shape[:2], *size)), float32, None, None)
        yield (g, tuple(x.shape[2:]), mode, align, scales), {}


def _scale(n_in: int, n_out: int, align_corners: bool, scale: float | None) -> float:
    """PyTorch's ``area_pixel_compute_scale``: source step per output step."""
    if align_corners:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    return 1.0 / scale if scale is not None and scale > 0 else n_in / n_out


def _interp_taps(bk: Any, like: Any, n_in: int, n_out: int, mode: str, align_corners: bool,
                 scale: float | None, dt: dtype) -> list[Tap]:
    """Index and weight vectors (weights in ``dt``) along one axis, with PyTorch's coordinate mapping."""
    if n_in == n_out and mode in ("nearest", "area", "linear") and not align_corners:
        return [(arange_on(bk, like, n_out, int64), None)]  # PyTorch's same-size shortcut: a copy
    if mode == "nearest" and n_out == 2 * n_in:
        return [(bk.floor_divide(arange_on(bk, like, n_out, int64), 2), None)]  # PyTorch's shortcut
    if mode == "area":  # adaptive average: output i averages input [floor(i*in/out), ceil((i+1)*in/out))
        pos = arange_on(bk, like, n_out, int64)
        start = bk.floor_divide(bk.multiply(pos, n_in), n_out)
        stop = bk.floor_divide(bk.add(bk.multiply(bk.add(pos, 1), n_in), n_out - 1), n_out)
        inv = bk.divide(1.0, bk.astype(bk.subtract(stop, start), dt))
        width = -(-n_in // n_out) + 1  # the most input positions one output can span
        return [(bk.clip(bk.add(start, k), None, n_in - 1),
                 bk.multiply(bk.astype(bk.less(bk.add(start, k), stop), dt), inv)) for k in range(width)]
    if mode in ("nearest", "nearest-exact"):  # PyTorch maps nearest indices in float32
        pos = arange_on(bk, like, n_out, float32)
        if mode == "nearest-exact":
            pos = bk.add(pos, 0.5)
        src = bk.floor(bk.multiply(pos, _scale(n_in, n_out, False, scale)))
        return [(bk.clip(bk.astype(src, int64), None, n_in - 1), None)]
    calc = float64 if dt is float64 else float32  # PyTorch's opmath type for the weights
    step = _scale(n_in, n_out, align_corners, scale)
    pos = arange_on(bk, like, n_out, calc)
    src = bk.multiply(pos, step) if align_corners else bk.subtract(bk.multiply(bk.add(pos, 0.5), step), 0.5)
    if mode == "linear":
        if not align_corners:
            src = bk.clip(src, 0.0, None)  # PyTorch clamps negative source positions to 0 for linear
        i0 = bk.clip(bk.astype(bk.floor(src), int64), None, n_in - 1)
        lam = bk.subtract(src, bk.astype(i0, calc))
        i1 = bk.clip(bk.add(i0, 1), None, n_in - 1)
        return [(i0, bk.astype(bk.subtract(1.0, lam), dt)), (i1, bk.astype(lam, dt))]
    # bicubic: four taps at floor(src) - 1 .. floor(src) + 2, indices clamped to the edge
    fl = bk.floor(src)
    t = bk.subtract(src, fl)
    base = bk.astype(fl, int64)
    a = CUBIC_A
    u = bk.subtract(1.0, t)

    def near(d: Any) -> Any:  # |d| <= 1: ((a + 2) d - (a + 3)) d^2 + 1
        return bk.add(bk.multiply(bk.subtract(bk.multiply(d, a + 2), a + 3), bk.multiply(d, d)), 1.0)

    def far(d: Any) -> Any:  # 1 < |d| < 2: ((a d - 5a) d + 8a) d - 4a
        return bk.subtract(bk.multiply(bk.add(bk.multiply(bk.subtract(bk.multiply(d, a), 5 * a), d), 8 * a), d), 4 * a)

    weights = (far(bk.add(t, 1.0)), near(t), near(u), far(bk.add(u, 1.0)))
    return [(bk.clip(bk.add(base, k - 1), 0, n_in - 1), bk.astype(w, dt)) for k, w in enumerate(weights)]


@optional_kernel(samples=_interpolate_samples)
def interpolate(bk: Any, x: Any, size: tuple[int, ...], mode: str, align_corners: bool | None,
                scales: tuple[float | None, ...]) -> Any:
    """Resample the spatial axes of ``x (N, C, *in)`` to ``size`` (positive ints, one per axis).

    ``mode``: ``"nearest"`` (source ``floor(i * s)``), ``"nearest-exact"`` (``floor((i + 0.5) * s)``),
    ``"linear"`` (separable linear interpolation over every spatial axis: linear, bilinear and
    trilinear), ``"area"`` (adaptive average pooling) or ``"bicubic"`` (2 spatial axes, PyTorch's ``A = -0.75``, edge-clamped taps). The step
    ``s`` per axis is ``1 / scales[k]`` when a scale is given, else ``in / out``; with
    ``align_corners`` (linear/bicubic only) it is ``(in - 1) / (out - 1)`` and corners map to corners.
    ``x`` is floating and may have ``N == 0``.
    """
    dt = bk.ember_dtype(x.dtype)
    first = x.ndim - len(size)
    for k, n_out in enumerate(size):
        n_in = x.shape[first + k]
        taps = _interp_taps(bk, x, n_in, n_out, mode, bool(align_corners), scales[k], dt)
        x = _gather(bk, x, taps, first + k)
    return x


@optional_kernel(samples=_interpolate_backward_samples)
def interpolate_backward(bk: Any, grad_out: Any, in_size: tuple[int, ...], mode: str, align_corners: bool | None,
                         scales: tuple[float | None, ...]) -> Any:
    """Gradient of ``interpolate`` with respect to its input, whose spatial sizes were ``in_size``
    (the other arguments as given to the forward): each output gradient flows back to the input
    positions it was read from, times their weights."""
    dt = bk.ember_dtype(grad_out.dtype)
    first = grad_out.ndim - len(in_size)
    g = grad_out
    for k in reversed(range(len(in_size))):
        n_in, n_out = in_size[k], g.shape[first + k]
        taps = _interp_taps(bk, g, n_in, n_out, mode, bool(align_corners), scales[k], dt)
        g = _scatter(bk, g, taps, first + k, n_in)
    return g
