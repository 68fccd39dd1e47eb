"""Reference kernels: softmax, log-softmax (and their backward), dropout masks.

Inputs are floating arrays of one dtype; core upcasts float16/bfloat16 to float32
before calling the softmax kernels, so a reference need not worry about half
precision accumulation. ``axis`` is a non-negative int and ``x`` has at least one
dimension.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ember._dtypes import float32, float64
from ember.backends._optional import optional_kernel

__all__ = [
    "softmax", "log_softmax", "softmax_backward", "log_softmax_backward", "dropout", "alpha_dropout",
    "ALPHA_DROPOUT_ALPHA",
]

#: SELU's negative saturation value, which alpha dropout sets dropped units to (before the affine fix).
ALPHA_DROPOUT_ALPHA = 1.7580993408473766


def _arr(bk: Any, rng: Any, shape: tuple[int, ...], dt: Any = float32, scale: float = 1.0) -> Any:
    return bk.asarray(rng.standard_normal(shape) * scale, dt, None, None)


def _softmax_samples(bk: Any, rng: Any) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    for shape, axis, dt in (((5,), 0, float32), ((3, 4), 1, float64), ((3, 4, 2), 0, float32),
                            ((2, 0, 3), 2, float32), ((4, 3), 0, float64)):
        yield (_arr(bk, rng, shape, dt, 4.0), axis), {}


def _softmax_backward_samples(bk: Any, rng: Any) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    for (x, axis), _ in _softmax_samples(bk, rng):
        out = softmax(bk, x, axis)
        yield (_arr(bk, rng, tuple(x.shape), bk.ember_dtype(x.dtype)), out, axis), {}


def _log_softmax_backward_samples(bk: Any, rng: Any) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    for (x, axis), _ in _softmax_samples(bk, rng):
        out = log_softmax(bk, x, axis)
        yield (_arr(bk, rng, tuple(x.shape), bk.ember_dtype(x.dtype)), out, axis), {}


def _shifted(bk: Any, x: Any, axis: int) -> Any:
    """``x - max(x, axis)``: every exponent is <= 0, so exp never overflows."""
    return bk.subtract(x, bk.max(x, axis, True))


@optional_kernel(samples=_softmax_samples)
def softmax(bk: Any, x: Any, axis: int) -> Any:
    """``exp(x) / sum(exp(x), axis)``, computed stably (shifted by the max along ``axis``).

    Same shape and dtype as ``x``. A slice holding NaN, +inf, or only -inf gives NaN, as in
    PyTorch. ``x`` may be empty (the result is then empty).
    """
    if x.size == 0:
        return bk.copy(x)
    e = bk.exp(_shifted(bk, x, axis))
    return bk.divide(e, bk.sum(e, axis, True, bk.ember_dtype(x.dtype)))


@optional_kernel(samples=_softmax_samples)
def log_softmax(bk: Any, x: Any, axis: int) -> Any:
    """``x - log(sum(exp(x), axis))``, computed stably; same shape, dtype and NaN rules as ``softmax``."""
    if x.size == 0:
        return bk.copy(x)
    s = _shifted(bk, x, axis)
    return bk.subtract(s, bk.log(bk.sum(bk.exp(s), axis, True, bk.ember_dtype(x.dtype))))


@optional_kernel(samples=_softmax_backward_samples)
def softmax_backward(bk: Any, grad_out: Any, out: Any, axis: int) -> Any:
    """Gradient of ``softmax`` with respect to its input, given its result ``out``:
    ``out * (grad_out - sum(grad_out * out, axis))``. Arrays share shape and dtype."""
    if out.size == 0:
        return bk.copy(grad_out)
    dot = bk.sum(bk.multiply(grad_out, out), axis, True, bk.ember_dtype(out.dtype))
    return bk.multiply(out, bk.subtract(grad_out, dot))


@optional_kernel(samples=_log_softmax_backward_samples)
def log_softmax_backward(bk: Any, grad_out: Any, out: Any, axis: int) -> Any:
    """Gradient of ``log_softmax`` given its result ``out``: ``grad_out - exp(out) * sum(grad_out, axis)``."""
    if out.size == 0:
        return bk.copy(grad_out)
    total = bk.sum(grad_out, axis, True, bk.ember_dtype(out.dtype))
    return bk.subtract(grad_out, bk.multiply(bk.exp(out), total))


def _dropout_samples(bk: Any, rng: Any) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    for shape, mask_shape, p in (((4, 5), (4, 5), 0.5), ((2, 3, 4), (2, 3, 1), 0.25), ((6,), (6,), 0.9)):
        gen = bk.new_generator(int(rng.integers(0, 2**32)), None)
        yield (_arr(bk, rng, shape), p, mask_shape, gen, None), {}


def _keep(bk: Any, gen: Any, p: float, mask_shape: tuple[int, ...], dt: Any, index: int | None) -> Any:
    """1 with probability ``1 - p``, else 0, in dtype ``dt`` (uniform draws in float32 or float64)."""
    draw_dt = float64 if dt is float64 else float32
    u = bk.uniform(gen, mask_shape, draw_dt, index)
    return bk.astype(bk.greater_equal(u, p), dt)


@optional_kernel(samples=_dropout_samples)
def dropout(bk: Any, x: Any, p: float, mask_shape: tuple[int, ...], gen: Any, index: int | None) -> tuple[Any, Any]:
    """Inverted dropout: ``(x * mask, mask)`` with ``mask`` of ``mask_shape`` (which broadcasts to
    ``x``'s shape; ``(N, C, 1, 1)`` for channel dropout) holding ``1 / (1 - p)`` with probability
    ``1 - p`` and 0 otherwise, drawn from native generator ``gen``. ``0 < p < 1`` and ``x`` is
    floating; the mask has ``x``'s dtype. The backward is ``grad_out * mask``.
    """
    dt = bk.ember_dtype(x.dtype)
    mask = bk.multiply(_keep(bk, gen, p, mask_shape, dt, index), 1.0 / (1.0 - p))
    return bk.multiply(x, mask), mask


@optional_kernel(samples=_dropout_samples)
def alpha_dropout(bk: Any, x: Any, p: float, mask_shape: tuple[int, ...], gen: Any, index: int | None) -> tuple[Any, Any]:
    """Alpha dropout (keeps SELU's mean and variance): ``(x * a * keep + b, a * keep)`` where ``keep``
    (of ``mask_shape``) is 1 with probability ``1 - p``, ``a = 1 / sqrt((alpha^2 p + 1)(1 - p))``,
    ``b = (keep - 1) * alpha * a + alpha * a * p`` and ``alpha`` is :data:`ALPHA_DROPOUT_ALPHA`,
    exactly as PyTorch computes it. ``0 < p < 1``. The backward is ``grad_out * (a * keep)``.
    """
    dt = bk.ember_dtype(x.dtype)
    alpha = ALPHA_DROPOUT_ALPHA
    a = 1.0 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    keep = _keep(bk, gen, p, mask_shape, dt, index)
    b = bk.add(bk.multiply(bk.subtract(keep, 1.0), alpha * a), alpha * a * p)
    noise = bk.multiply(keep, a)
    return bk.add(bk.multiply(x, noise), b), noise
