"""Reference kernels: fused per-parameter optimizer updates (Adam/AdamW, SGD).

Each kernel performs one optimizer step for one parameter, writing the parameter and
its state buffers in place (``copy_into``), and returns the arrays it wrote so the
conformance kit can compare them. The formulas are PyTorch's single-tensor
("for-loop") implementations in ``torch.optim``; an override may reorder the
arithmetic within rounding (e.g. fold constants), but must give the same values up to
a few ulps and must write through to the given arrays. Arrays are real floating, of
one shape and dtype (the gradient may be any layout, e.g. a broadcast view); scalars
are Python floats and bools. The step counter lives in the optimizer, not here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ember._dtypes import float32, float64
from ember.backends._optional import optional_kernel

__all__ = ["adam_update", "sgd_update", "lerp_into"]

Samples = Iterator[tuple[tuple[Any, ...], dict[str, Any]]]


def lerp_into(bk: Any, buf: Any, end: Any, weight: float) -> None:
    """``buf.lerp_(end, weight)`` with PyTorch's two-sided formula (exact at weight 0 and 1)."""
    if weight < 0.5:
        bk.copy_into(buf, bk.add(buf, bk.multiply(bk.subtract(end, buf), weight)))
    else:
        bk.copy_into(buf, bk.subtract(end, bk.multiply(bk.subtract(end, buf), 1.0 - weight)))


def _arr(bk: Any, rng: Any, shape: tuple[int, ...], dt: Any, scale: float = 1.0, positive: bool = False) -> Any:
    a = rng.standard_normal(shape) * scale
    return bk.asarray(abs(a) if positive else a, dt, None, None)


_SHAPES = ((7,), (3, 5), (2, 3, 4), (), (0, 3), (1000,))


def _adam_samples(bk: Any, rng: Any) -> Samples:
    options = (
        # (amsgrad, maximize, weight_decay, decoupled, step)
        (False, False, 0.0, False, 1.0),
        (False, False, 0.0, False, 7.0),
        (True, False, 0.0, False, 3.0),
        (False, True, 0.1, False, 2.0),
        (True, True, 0.05, True, 11.0),
        (False, False, 0.01, True, 1.0),
    )
    for i, (amsgrad, maximize, wd, decoupled, step) in enumerate(options):
        shape = _SHAPES[i % len(_SHAPES)]
        dt = (float32, float64)[i % 2]
        p = _arr(bk, rng, shape, dt)
        g = _arr(bk, rng, shape, dt)
        m = _arr(bk, rng, shape, dt, 0.1)
        v = _arr(bk, rng, shape, dt, 0.1, positive=True)
        mx = _arr(bk, rng, shape, dt, 0.1, positive=True) if amsgrad else None
        yield (p, g, m, v, mx), {
            "step": step, "lr": 1e-2, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": wd,
            "amsgrad": amsgrad, "maximize": maximize, "decoupled": decoupled,
        }


@optional_kernel(samples=_adam_samples)
def adam_update(
    bk: Any, param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any, max_exp_avg_sq: Any | None, *,
    step: float, lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
    amsgrad: bool, maximize: bool, decoupled: bool,
) -> tuple[Any, Any, Any, Any | None]:
    """One Adam (``decoupled``: AdamW) step of PyTorch's single-tensor algorithm, in place.

    ``step`` is the step count after this step's increment (1 on the first step). With
    ``g = -grad if maximize else grad``:

    - ``weight_decay != 0``: ``decoupled``: ``param *= 1 - lr * weight_decay``; else
      ``g = g + weight_decay * param``;
    - ``exp_avg.lerp_(g, 1 - beta1)`` (PyTorch's two-sided lerp);
    - ``exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g``;
    - ``amsgrad``: ``max_exp_avg_sq = maximum(max_exp_avg_sq, exp_avg_sq)`` and ``v`` is
      ``max_exp_avg_sq``, else ``exp_avg_sq`` (``max_exp_avg_sq`` is None without amsgrad);
    - ``denom = sqrt(v) / sqrt(1 - beta2**step) + eps``;
    - ``param += -(lr / (1 - beta1**step)) * exp_avg / denom``.

    Returns ``(param, exp_avg, exp_avg_sq, max_exp_avg_sq)``, the arrays it wrote.
    """
    g = bk.negative(grad) if maximize else grad
    if weight_decay != 0:
        if decoupled:
            bk.copy_into(param, bk.multiply(param, 1 - lr * weight_decay))
        else:
            g = bk.add(g, bk.multiply(param, weight_decay))
    lerp_into(bk, exp_avg, g, 1 - beta1)
    bk.copy_into(exp_avg_sq, bk.add(bk.multiply(exp_avg_sq, beta2), bk.multiply(bk.multiply(g, g), 1 - beta2)))
    v = exp_avg_sq
    if amsgrad:
        bk.copy_into(max_exp_avg_sq, bk.maximum(max_exp_avg_sq, exp_avg_sq))
        v = max_exp_avg_sq
    step_size = lr / (1 - beta1**step)
    denom = bk.add(bk.divide(bk.sqrt(v), math.sqrt(1 - beta2**step)), eps)
    bk.copy_into(param, bk.add(param, bk.divide(bk.multiply(exp_avg, -step_size), denom)))
    return param, exp_avg, exp_avg_sq, max_exp_avg_sq


def _sgd_samples(bk: Any, rng: Any) -> Samples:
    options = (
        # (momentum, dampening, nesterov, weight_decay, maximize, first)
        (0.0, 0.0, False, 0.0, False, False),
        (0.9, 0.0, False, 0.0, False, True),
        (0.9, 0.0, False, 0.0, False, False),
        (0.9, 0.1, False, 0.01, True, False),
        (0.8, 0.0, True, 0.1, False, True),
        (0.8, 0.0, True, 0.0, True, False),
        (0.0, 0.0, False, 0.05, True, False),
    )
    for i, (momentum, dampening, nesterov, wd, maximize, first) in enumerate(options):
        shape = _SHAPES[i % len(_SHAPES)]
        dt = (float32, float64)[i % 2]
        p = _arr(bk, rng, shape, dt)
        g = _arr(bk, rng, shape, dt)
        buf = _arr(bk, rng, shape, dt, 0.5) if momentum != 0 else None
        yield (p, g, buf), {
            "first": first, "lr": 0.1, "momentum": momentum, "dampening": dampening,
            "weight_decay": wd, "nesterov": nesterov, "maximize": maximize,
        }


@optional_kernel(samples=_sgd_samples)
def sgd_update(
    bk: Any, param: Any, grad: Any, momentum_buffer: Any | None, *, first: bool, lr: float, momentum: float,
    dampening: float, weight_decay: float, nesterov: bool, maximize: bool,
) -> tuple[Any, Any | None]:
    """One SGD step of PyTorch's single-tensor algorithm, in place.

    With ``g = -grad if maximize else grad`` and, if ``weight_decay != 0``,
    ``g = g + weight_decay * param``:

    - ``momentum != 0``: ``first`` (the buffer's first step): ``momentum_buffer = g``; else
      ``momentum_buffer = momentum * momentum_buffer + (1 - dampening) * g``; then ``g`` is
      ``g + momentum * momentum_buffer`` with ``nesterov``, else ``momentum_buffer``
      (``momentum_buffer`` is None when ``momentum == 0``);
    - ``param += -lr * g``.

    Returns ``(param, momentum_buffer)``, the arrays it wrote.
    """
    g = bk.negative(grad) if maximize else grad
    if weight_decay != 0:
        g = bk.add(g, bk.multiply(param, weight_decay))
    if momentum != 0:
        if first:
            bk.copy_into(momentum_buffer, g)
        else:
            scaled = g if dampening == 0 else bk.multiply(g, 1 - dampening)
            bk.copy_into(momentum_buffer, bk.add(bk.multiply(momentum_buffer, momentum), scaled))
        g = bk.add(g, bk.multiply(momentum_buffer, momentum)) if nesterov else momentum_buffer
    bk.copy_into(param, bk.add(param, bk.multiply(g, -lr)))
    return param, momentum_buffer
