"""Reference kernels: layer, batch, group and RMS normalization, forward and backward.

Inputs are floating arrays of one dtype (``weight``/``bias`` too, or None); core has
checked every shape. Statistics use the biased variance (divide by the count), as
PyTorch's do; only batch norm's running variance is unbiased. Forward kernels
return the statistics their backward needs, so a backend that fuses the forward
still gets an exact, efficient backward.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ember._dtypes import float32, float64
from ember.backends._optional import optional_kernel

__all__ = [
    "layer_norm", "layer_norm_backward", "batch_norm", "batch_norm_backward", "group_norm",
    "group_norm_backward", "rms_norm", "rms_norm_backward",
]

Samples = Iterator[tuple[tuple[Any, ...], dict[str, Any]]]


def _arr(bk: Any, rng: Any, shape: tuple[int, ...], dt: Any = float32) -> Any:
    return bk.asarray(rng.standard_normal(shape) * 2 + 0.5, dt, None, None)


def _nan_like_sum(bk: Any, x: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
    """NaN statistics of an empty input (the mean of nothing), shaped like a reduction over ``axes``."""
    return bk.multiply(bk.sum(x, axes, keepdims, bk.ember_dtype(x.dtype)), math.nan)


def _trailing(x: Any, n: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(batch axes, normalized axes) for normalization over the last ``n`` axes."""
    return tuple(range(x.ndim - n)), tuple(range(x.ndim - n, x.ndim))


def _affine(bk: Any, y: Any, weight: Any, bias: Any) -> Any:
    if weight is not None:
        y = bk.multiply(y, weight)
    if bias is not None:
        y = bk.add(y, bias)
    return y


# -- layer norm -------------------------------------------------------------------

def _layer_norm_samples(bk: Any, rng: Any) -> Samples:
    for shape, n, affine, dt in (((4, 6), 1, True, float32), ((2, 3, 4), 2, True, float64),
                                 ((5,), 1, False, float32), ((0, 3), 1, True, float32)):
        w = _arr(bk, rng, shape[len(shape) - n:], dt) if affine else None
        b = _arr(bk, rng, shape[len(shape) - n:], dt) if affine else None
        yield (_arr(bk, rng, shape, dt), n, w, b, 1e-5), {}


def _layer_norm_backward_samples(bk: Any, rng: Any) -> Samples:
    for (x, n, w, b, eps), _ in _layer_norm_samples(bk, rng):
        _, mean, rstd = layer_norm(bk, x, n, w, b, eps)
        yield (_arr(bk, rng, tuple(x.shape), bk.ember_dtype(x.dtype)), x, mean, rstd, w, n), {}


@optional_kernel(samples=_layer_norm_samples)
def layer_norm(bk: Any, x: Any, n: int, weight: Any, bias: Any, eps: float) -> tuple[Any, Any, Any]:
    """Normalize over the last ``n`` axes: ``(out, mean, rstd)``.

    ``out = (x - mean) * rstd * weight + bias`` with ``rstd = 1 / sqrt(var + eps)``; ``weight``
    and ``bias`` (either may be None) have shape ``x.shape[-n:]``. ``mean`` and ``rstd`` keep the
    reduced axes as size 1 (shape ``x.shape[:-n] + (1,) * n``). Empty input gives an empty ``out``
    and NaN statistics.
    """
    _, axes = _trailing(x, n)
    if x.size == 0:
        stats = _nan_like_sum(bk, x, axes, True)
        return bk.copy(x), stats, stats
    mean = bk.mean(x, axes, True)
    xc = bk.subtract(x, mean)
    rstd = bk.divide(1.0, bk.sqrt(bk.add(bk.mean(bk.multiply(xc, xc), axes, True), eps)))
    return _affine(bk, bk.multiply(xc, rstd), weight, bias), mean, rstd


@optional_kernel(samples=_layer_norm_backward_samples)
def layer_norm_backward(
    bk: Any, grad_out: Any, x: Any, mean: Any, rstd: Any, weight: Any, n: int
) -> tuple[Any, Any, Any]:
    """Gradients of ``layer_norm`` for input, weight and bias: ``(grad_x, grad_weight, grad_bias)``.

    ``mean``/``rstd`` are the forward's; ``weight`` may be None (the weight and bias gradients are
    still returned, of shape ``x.shape[-n:]``, for a caller that has a bias but no weight).
    """
    batch, axes = _trailing(x, n)
    dt = bk.ember_dtype(x.dtype)
    if x.size == 0:
        return bk.copy(grad_out), bk.sum(grad_out, batch, False, dt), bk.sum(grad_out, batch, False, dt)
    xhat = bk.multiply(bk.subtract(x, mean), rstd)
    grad_w = bk.sum(bk.multiply(grad_out, xhat), batch, False, dt)
    grad_b = bk.sum(grad_out, batch, False, dt)
    g = grad_out if weight is None else bk.multiply(grad_out, weight)
    return _normalized_grad(bk, g, xhat, rstd, axes), grad_w, grad_b


def _normalized_grad(bk: Any, g: Any, xhat: Any, rstd: Any, axes: tuple[int, ...]) -> Any:
    """Input gradient of ``xhat = (x - mean(x)) * rstd`` over ``axes``:
    ``rstd * (g - mean(g) - xhat * mean(g * xhat))``."""
    inner = bk.subtract(bk.subtract(g, bk.mean(g, axes, True)),
                        bk.multiply(xhat, bk.mean(bk.multiply(g, xhat), axes, True)))
    return bk.multiply(inner, rstd)


# -- batch norm -------------------------------------------------------------------

def _batch_norm_samples(bk: Any, rng: Any) -> Samples:
    for shape, training, dt in (((4, 3), True, float32), ((2, 3, 5), True, float64),
                                ((2, 3, 2, 2), False, float32), ((3, 2, 4), True, float32)):
        c = shape[1]
        rm, rv = _arr(bk, rng, (c,), dt), bk.abs(_arr(bk, rng, (c,), dt))
        yield (_arr(bk, rng, shape, dt), rm, rv, _arr(bk, rng, (c,), dt), _arr(bk, rng, (c,), dt),
               training, 0.1, 1e-5), {}


def _batch_norm_backward_samples(bk: Any, rng: Any) -> Samples:
    for (x, rm, rv, w, b, training, momentum, eps), _ in _batch_norm_samples(bk, rng):
        _, mean, invstd = batch_norm(bk, x, rm, rv, w, b, training, momentum, eps)
        yield (_arr(bk, rng, tuple(x.shape), bk.ember_dtype(x.dtype)), x, w, mean, invstd, training), {}


def _channel_axes(x: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(axes reduced by batch norm: all but 1, the broadcast shape ``(1, C, 1, ...)``) of ``x``."""
    axes = (0, *range(2, x.ndim))
    return axes, tuple(x.shape[1] if d == 1 else 1 for d in range(x.ndim))


@optional_kernel(samples=_batch_norm_samples)
def batch_norm(
    bk: Any, x: Any, running_mean: Any, running_var: Any, weight: Any, bias: Any,
    training: bool, momentum: float, eps: float,
) -> tuple[Any, Any, Any]:
    """Batch normalization of ``x (N, C, *)`` per channel: ``(out, mean, invstd)``, both of shape ``(C,)``.

    Training: statistics over every axis but 1; ``running_mean``/``running_var`` (shape ``(C,)``,
    each may be None) are updated in place to ``(1 - momentum) * running + momentum * batch`` with
    the unbiased batch variance (``var * M / (M - 1)`` for ``M`` values per channel). Evaluation:
    ``mean = running_mean``, ``invstd = 1 / sqrt(running_var + eps)``, nothing updated. Empty
    ``x`` gives an empty ``out``, NaN statistics and leaves the running statistics unchanged.
    """
    axes, bshape = _channel_axes(x)
    dt = bk.ember_dtype(x.dtype)
    if x.size == 0:
        stats = _nan_like_sum(bk, x, axes, False)
        return bk.copy(x), stats, stats
    if training:
        mean = bk.mean(x, axes, False)
        xc = bk.subtract(x, bk.reshape(mean, bshape, None))
        var = bk.mean(bk.multiply(xc, xc), axes, False)
        invstd = bk.divide(1.0, bk.sqrt(bk.add(var, eps)))
        count = x.size // x.shape[1]
        if running_mean is not None:
            bk.copy_into(running_mean, bk.add(bk.multiply(running_mean, 1.0 - momentum),
                                              bk.astype(bk.multiply(mean, momentum), bk.ember_dtype(running_mean.dtype))))
        if running_var is not None:
            unbiased = bk.multiply(var, (momentum * count / (count - 1)) if count > 1 else math.nan)
            bk.copy_into(running_var, bk.add(bk.multiply(running_var, 1.0 - momentum),
                                             bk.astype(unbiased, bk.ember_dtype(running_var.dtype))))
    else:
        mean = bk.astype(running_mean, dt)
        invstd = bk.divide(1.0, bk.sqrt(bk.add(bk.astype(running_var, dt), eps)))
        xc = bk.subtract(x, bk.reshape(mean, bshape, None))
    y = bk.multiply(xc, bk.reshape(invstd, bshape, None))
    w = None if weight is None else bk.reshape(weight, bshape, None)
    b = None if bias is None else bk.reshape(bias, bshape, None)
    return _affine(bk, y, w, b), mean, invstd


@optional_kernel(samples=_batch_norm_backward_samples)
def batch_norm_backward(
    bk: Any, grad_out: Any, x: Any, weight: Any, mean: Any, invstd: Any, training: bool
) -> tuple[Any, Any, Any]:
    """Gradients of ``batch_norm``: ``(grad_x, grad_weight, grad_bias)``, the last two of shape ``(C,)``.

    ``mean``/``invstd`` are what the forward returned. In training the statistics depend on ``x``
    (the full formula); in evaluation they are constants, so ``grad_x = grad_out * weight * invstd``.
    ``weight`` may be None (taken as ones).
    """
    axes, bshape = _channel_axes(x)
    dt = bk.ember_dtype(x.dtype)
    if x.size == 0:
        return bk.copy(grad_out), bk.sum(grad_out, axes, False, dt), bk.sum(grad_out, axes, False, dt)
    invstd_b = bk.reshape(invstd, bshape, None)
    xhat = bk.multiply(bk.subtract(x, bk.reshape(mean, bshape, None)), invstd_b)
    grad_w = bk.sum(bk.multiply(grad_out, xhat), axes, False, dt)
    grad_b = bk.sum(grad_out, axes, False, dt)
    g = grad_out if weight is None else bk.multiply(grad_out, bk.reshape(weight, bshape, None))
    if not training:
        return bk.multiply(g, invstd_b), grad_w, grad_b
    return _normalized_grad(bk, g, xhat, invstd_b, axes), grad_w, grad_b


# -- group norm -------------------------------------------------------------------

def _group_norm_samples(bk: Any, rng: Any) -> Samples:
    for shape, groups, affine, dt in (((2, 4, 3), 2, True, float32), ((3, 6, 2, 2), 3, True, float64),
                                      ((2, 4), 4, False, float32), ((0, 4, 2), 2, True, float32)):
        w = _arr(bk, rng, (shape[1],), dt) if affine else None
        b = _arr(bk, rng, (shape[1],), dt) if affine else None
        yield (_arr(bk, rng, shape, dt), groups, w, b, 1e-5), {}


def _group_norm_backward_samples(bk: Any, rng: Any) -> Samples:
    for (x, groups, w, b, eps), _ in _group_norm_samples(bk, rng):
        _, mean, rstd = group_norm(bk, x, groups, w, b, eps)
        yield (_arr(bk, rng, tuple(x.shape), bk.ember_dtype(x.dtype)), x, mean, rstd, w, groups), {}


def _group_shape(x: Any, groups: int) -> tuple[int, int, int]:
    """``(N, C, *)`` seen as ``(N, groups, C // groups * prod(*))``."""
    return x.shape[0], groups, math.prod(x.shape[1:]) // groups


@optional_kernel(samples=_group_norm_samples)
def group_norm(bk: Any, x: Any, groups: int, weight: Any, bias: Any, eps: float) -> tuple[Any, Any, Any]:
    """Group normalization of ``x (N, C, *)``, channels split into ``groups`` equal groups:
    ``(out, mean, rstd)`` with statistics of shape ``(N, groups)``; ``weight``/``bias`` (each may
    be None) scale and shift per channel, shape ``(C,)``. Empty input: empty ``out``, NaN statistics.
    """
    _, bshape = _channel_axes(x)
    xg = bk.reshape(x, _group_shape(x, groups), None)
    if x.size == 0:
        stats = _nan_like_sum(bk, xg, (2,), False)
        return bk.copy(x), stats, stats
    mean = bk.mean(xg, (2,), True)
    xc = bk.subtract(xg, mean)
    rstd = bk.divide(1.0, bk.sqrt(bk.add(bk.mean(bk.multiply(xc, xc), (2,), True), eps)))
    y = bk.reshape(bk.multiply(xc, rstd), tuple(x.shape), None)
    w = None if weight is None else bk.reshape(weight, bshape, None)
    b = None if bias is None else bk.reshape(bias, bshape, None)
    return _affine(bk, y, w, b), bk.reshape(mean, xg.shape[:2], None), bk.reshape(rstd, xg.shape[:2], None)


@optional_kernel(samples=_group_norm_backward_samples)
def group_norm_backward(
    bk: Any, grad_out: Any, x: Any, mean: Any, rstd: Any, weight: Any, groups: int
) -> tuple[Any, Any, Any]:
    """Gradients of ``group_norm``: ``(grad_x, grad_weight, grad_bias)``, the last two of shape ``(C,)``
    (returned even when ``weight`` is None, which is taken as ones)."""
    axes, bshape = _channel_axes(x)
    dt = bk.ember_dtype(x.dtype)
    if x.size == 0:
        return bk.copy(grad_out), bk.sum(grad_out, axes, False, dt), bk.sum(grad_out, axes, False, dt)
    gshape = _group_shape(x, groups)
    stat_shape = (gshape[0], groups, 1)
    rstd_g = bk.reshape(rstd, stat_shape, None)
    xhat_g = bk.multiply(bk.subtract(bk.reshape(x, gshape, None), bk.reshape(mean, stat_shape, None)), rstd_g)
    xhat = bk.reshape(xhat_g, tuple(x.shape), None)
    grad_w = bk.sum(bk.multiply(grad_out, xhat), axes, False, dt)
    grad_b = bk.sum(grad_out, axes, False, dt)
    g = grad_out if weight is None else bk.multiply(grad_out, bk.reshape(weight, bshape, None))
    gx = _normalized_grad(bk, bk.reshape(g, gshape, None), xhat_g, rstd_g, (2,))
    return bk.reshape(gx, tuple(x.shape), None), grad_w, grad_b


# -- RMS norm ---------------------------------------------------------------------

def _rms_norm_samples(bk: Any, rng: Any) -> Samples:
    for shape, n, affine, dt in (((4, 6), 1, True, float32), ((2, 3, 4), 2, True, float64),
                                 ((5,), 1, False, float32)):
        w = _arr(bk, rng, shape[len(shape) - n:], dt) if affine else None
        yield (_arr(bk, rng, shape, dt), n, w, 1e-6), {}


def _rms_norm_backward_samples(bk: Any, rng: Any) -> Samples:
    for (x, n, w, eps), _ in _rms_norm_samples(bk, rng):
        _, rstd = rms_norm(bk, x, n, w, eps)
        yield (_arr(bk, rng, tuple(x.shape), bk.ember_dtype(x.dtype)), x, rstd, w, n), {}


@optional_kernel(samples=_rms_norm_samples)
def rms_norm(bk: Any, x: Any, n: int, weight: Any, eps: float) -> tuple[Any, Any]:
    """RMS normalization over the last ``n`` axes: ``(x * rstd * weight, rstd)`` with
    ``rstd = 1 / sqrt(mean(x^2) + eps)`` keeping the reduced axes as size 1; ``weight``
    (shape ``x.shape[-n:]``) may be None. Empty input: empty ``out`` and NaN ``rstd``."""
    _, axes = _trailing(x, n)
    if x.size == 0:
        return bk.copy(x), _nan_like_sum(bk, x, axes, True)
    rstd = bk.divide(1.0, bk.sqrt(bk.add(bk.mean(bk.multiply(x, x), axes, True), eps)))
    return _affine(bk, bk.multiply(x, rstd), weight, None), rstd


@optional_kernel(samples=_rms_norm_backward_samples)
def rms_norm_backward(bk: Any, grad_out: Any, x: Any, rstd: Any, weight: Any, n: int) -> tuple[Any, Any]:
    """Gradients of ``rms_norm``: ``(grad_x, grad_weight)``, the latter of shape ``x.shape[-n:]``."""
    batch, axes = _trailing(x, n)
    dt = bk.ember_dtype(x.dtype)
    if x.size == 0:
        return bk.copy(grad_out), bk.sum(grad_out, batch, False, dt)
    xhat = bk.multiply(x, rstd)
    grad_w = bk.sum(bk.multiply(grad_out, xhat), batch, False, dt)
    g = grad_out if weight is None else bk.multiply(grad_out, weight)
    inner = bk.subtract(g, bk.multiply(xhat, bk.mean(bk.multiply(g, xhat), axes, True)))
    return bk.multiply(inner, rstd), grad_w
