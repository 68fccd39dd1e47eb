"""The update rules, one function per algorithm, on lists of tensors (PyTorch's ``torch.optim._functional``).

Each function updates ``params`` in place from ``grads`` and the state buffers it is
given (also updated in place), one parameter at a time with whole-array kernels, so
a step costs a fixed number of vectorised kernels per parameter whatever its size.
The formulas are PyTorch's single-tensor ("for-loop") implementations.

Adam/AdamW and SGD are one optional-tier kernel call per parameter (``adam_update``,
``sgd_update``: reference in :mod:`ember.backends.reference.optim`, which a backend may
override with a fused or threaded version, as the CPU backend does). The other rules
run on the tensors' native arrays, below the Tensor layer: an
optimizer step needs no dtype promotion, broadcasting checks or autograd, and
core's in-place Tensor ops compute into a temporary and copy it back. Where the
backend's arrays update in place (the array API's ``*=``, ``+=``, ...; probed once
per backend) buffers are modified directly; otherwise each write is a kernel
result copied in with ``copy_into``. Either way the tensors' version counters are
bumped, as an in-place Tensor op would.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import ember.backends.reference.optim  # noqa: F401  (registers the update kernels)
from ember._tensor import Tensor
from ember._tensor_base import bump_version
from ember.backends import kernel

__all__ = ["sgd", "adam", "adamax", "nadam", "radam", "Ops", "ops_for"]

Array = Any
F = TypeVar("F", bound=Callable[..., Any])


def _quiet(update: F) -> F:
    """Run an update rule with floating-point RuntimeWarnings suppressed.

    A backend's kernels give inf/nan silently, as PyTorch does; the in-place array
    operators used here bypass those kernels, so an overflowing step would otherwise
    warn (or raise under ``-W error``) where PyTorch is silent.
    """

    @wraps(update)
    def quiet_update(*args: Any, **kwargs: Any) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            update(*args, **kwargs)

    return quiet_update  # type: ignore[return-value]


class Ops:
    """Arithmetic on one backend's native arrays for the update rules.

    ``t*`` methods work on temporaries the caller owns (in place where possible,
    returning the result); ``set_*`` methods update a persistent buffer in place.
    """

    __slots__ = ("bk", "inplace")

    def __init__(self, bk: Any) -> None:
        self.bk = bk
        self.inplace = _probe_inplace(bk)

    # -- temporaries ------------------------------------------------------------------
    def tadd(self, a: Array, b: Any) -> Array:
        if self.inplace:
            a += b
            return a
        return self.bk.add(a, b)

    def tmul(self, a: Array, b: Any) -> Array:
        if self.inplace:
            a *= b
            return a
        return self.bk.multiply(a, b)

    def tdiv(self, a: Array, b: Any) -> Array:
        if self.inplace:
            a /= b
            return a
        return self.bk.divide(a, b)

    # -- buffers ----------------------------------------------------------------------
    def set_add(self, buf: Array, b: Any) -> None:
        if self.inplace:
            buf += b
        else:
            self.bk.copy_into(buf, self.bk.add(buf, b))

    def set_mul(self, buf: Array, b: Any) -> None:
        if self.inplace:
            buf *= b
        else:
            self.bk.copy_into(buf, self.bk.multiply(buf, b))

    def set_lerp(self, buf: Array, end: Array, weight: float) -> None:
        """``buf.lerp_(end, weight)`` with PyTorch's two-sided formula (exact at weight 0 and 1)."""
        bk = self.bk
        if weight < 0.5:
            self.set_add(buf, self.tmul(bk.subtract(end, buf), weight))
        else:
            bk.copy_into(buf, bk.subtract(end, self.tmul(bk.subtract(end, buf), 1.0 - weight)))

    def set_addcmul_sq(self, buf: Array, g: Array, value: float) -> None:
        """``buf.addcmul_(g, g, value=value)``."""
        self.set_add(buf, self.tmul(self.bk.multiply(g, g), value))

    def set_maximum(self, buf: Array, other: Array) -> None:
        self.bk.copy_into(buf, self.bk.maximum(buf, other))


_INPLACE: dict[int, tuple[Any, bool]] = {}
_OPS: dict[int, Ops] = {}


def _probe_inplace(bk: Any) -> bool:
    """Whether ``a += b`` on this backend's arrays writes into ``a`` (array-API arrays do; immutable ones don't)."""
    hit = _INPLACE.get(id(bk))
    if hit is not None and hit[0] is bk:
        return hit[1]
    ok = False
    if getattr(bk, "strided_views", False):
        from ember._dtypes import float32

        try:
            a = bk.full((2,), 1.0, float32, None)
            b = a
            b += 1.0
            b *= 2.0
            ok = b is a and bk.tolist(a) == [4.0, 4.0]
        except Exception:
            ok = False
    _INPLACE[id(bk)] = (bk, ok)
    return ok


def ops_for(t: Tensor) -> Ops:
    """The :class:`Ops` of ``t``'s backend (cached)."""
    bk = t._backend
    ops = _OPS.get(id(bk))
    if ops is None or ops.bk is not bk:
        ops = _OPS[id(bk)] = Ops(bk)
    return ops


def _grad(ops: Ops, param: Tensor, grad: Tensor, maximize: bool, weight_decay: float) -> Array:
    """The gradient to use: negated for ``maximize``, plus ``weight_decay * param`` (a new array if changed)."""
    g = grad._data
    if maximize:
        g = ops.bk.negative(g)
    if weight_decay != 0:
        g = ops.bk.add(g, ops.bk.multiply(param._data, weight_decay))
    return g


def _decayed_grad(
    ops: Ops, param: Tensor, grad: Tensor, maximize: bool, weight_decay: float, decoupled: bool, lr: float
) -> Array:
    """:func:`_grad`, or with ``decoupled`` weight decay (AdamW's) scale ``param`` by ``1 - lr * wd`` instead."""
    if weight_decay != 0 and decoupled:
        ops.set_mul(param._data, 1 - lr * weight_decay)
        return _grad(ops, param, grad, maximize, 0.0)
    return _grad(ops, param, grad, maximize, weight_decay)


def _update_moments(ops: Ops, m: Array, v: Array, g: Array, beta1: float, beta2: float) -> None:
    """Adam's moments in place: ``m = lerp(m, g, 1 - beta1)``, ``v = beta2 * v + (1 - beta2) * g * g``."""
    ops.set_lerp(m, g, 1 - beta1)
    ops.set_mul(v, beta2)
    ops.set_addcmul_sq(v, g, 1 - beta2)


def _begin(param: Tensor, step_t: Tensor) -> tuple[Ops, Any, float]:
    """An update's prologue: ``param``'s :class:`Ops`, its backend, and the step count after ``step_t += 1``."""
    ops = ops_for(param)
    return ops, ops.bk, _bump_step(step_t)


def _bump_versions(*tensors: Tensor) -> None:
    for t in tensors:
        bump_version(t)


def _bump_step(step_t: Tensor) -> float:
    """``step_t += 1`` on the 0-d float32 counter, returning the new count."""
    ops = ops_for(step_t)
    ops.bk.copy_into(step_t._data, ops.bk.add(step_t._data, 1.0))
    bump_version(step_t)
    return float(ops.bk.item(step_t._data))


def sgd(
    params: list[Tensor],
    grads: list[Tensor],
    momentum_buffer_list: list[Tensor | None],
    *,
    weight_decay: float,
    momentum: float,
    lr: float,
    dampening: float,
    nesterov: bool,
    maximize: bool,
) -> None:
    """SGD with optional momentum (the first step stores the gradient itself as the buffer).

    One fused backend kernel per parameter (optional tier ``sgd_update``).
    """
    for i, param in enumerate(params):
        bk = param._backend
        buf = momentum_buffer_list[i] if momentum != 0 else None
        first = False
        if momentum != 0 and buf is None:
            buf = momentum_buffer_list[i] = grads[i].detach().clone()
            first = True
        kernel(bk, "sgd_update")(
            param._data, grads[i]._data, None if buf is None else buf._data, first=first, lr=lr,
            momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
            maximize=maximize,
        )
        if buf is not None and not first:
            bump_version(buf)
        bump_version(param)


def adam(
    params: list[Tensor],
    grads: list[Tensor],
    exp_avgs: list[Tensor],
    exp_avg_sqs: list[Tensor],
    max_exp_avg_sqs: list[Tensor],
    state_steps: list[Tensor],
    *,
    amsgrad: bool,
    beta1: float,
    beta2: float,
    lr: float,
    weight_decay: float,
    eps: float,
    maximize: bool,
    decoupled_weight_decay: bool,
) -> None:
    """Adam (``decoupled_weight_decay``: AdamW), with bias corrections and optional AMSGrad.

    One fused backend kernel per parameter (optional tier ``adam_update``).
    """
    for i, param in enumerate(params):
        step = _bump_step(state_steps[i])
        kernel(param._backend, "adam_update")(
            param._data, grads[i]._data, exp_avgs[i]._data, exp_avg_sqs[i]._data,
            max_exp_avg_sqs[i]._data if amsgrad else None, step=step, lr=lr, beta1=beta1, beta2=beta2,
            eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
            decoupled=decoupled_weight_decay,
        )
        if amsgrad:
            bump_version(max_exp_avg_sqs[i])
        _bump_versions(exp_avgs[i], exp_avg_sqs[i], param)


@_quiet
def adamax(
    params: list[Tensor],
    grads: list[Tensor],
    exp_avgs: list[Tensor],
    exp_infs: list[Tensor],
    state_steps: list[Tensor],
    *,
    eps: float,
    beta1: float,
    beta2: float,
    lr: float,
    weight_decay: float,
    maximize: bool,
) -> None:
    """Adamax: Adam with the infinity norm (``u = max(beta2 * u, |g| + eps)``)."""
    for i, param in enumerate(params):
        ops, bk, step = _begin(param, state_steps[i])
        g = _grad(ops, param, grads[i], maximize, weight_decay)
        m, u = exp_avgs[i]._data, exp_infs[i]._data
        ops.set_lerp(m, g, 1 - beta1)
        ops.set_mul(u, beta2)
        ops.set_maximum(u, ops.tadd(bk.abs(g), eps))
        clr = lr / (1 - beta1**step)
        ops.set_add(param._data, ops.tmul(bk.divide(m, u), -clr))
        _bump_versions(exp_avgs[i], exp_infs[i], param)


@_quiet
def nadam(
    params: list[Tensor],
    grads: list[Tensor],
    exp_avgs: list[Tensor],
    exp_avg_sqs: list[Tensor],
    mu_products: list[Tensor],
    state_steps: list[Tensor],
    *,
    beta1: float,
    beta2: float,
    lr: float,
    weight_decay: float,
    momentum_decay: float,
    eps: float,
    decoupled_weight_decay: bool,
    maximize: bool,
) -> None:
    """NAdam: Adam with Nesterov momentum and the ``momentum_decay`` schedule of ``mu``."""
    for i, param in enumerate(params):
        ops, bk, step = _begin(param, state_steps[i])
        bias_correction2 = 1 - beta2**step
        p = param._data
        g = _decayed_grad(ops, param, grads[i], maximize, weight_decay, decoupled_weight_decay, lr)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        # mu_product is a float32 0-d tensor, as in PyTorch (its rounding is part of the trajectory)
        mp = mu_products[i]
        mops = ops_for(mp)
        mops.bk.copy_into(mp._data, mops.bk.multiply(mp._data, mu))
        bump_version(mp)
        mu_product = float(mops.bk.item(mp._data))
        m, v = exp_avgs[i]._data, exp_avg_sqs[i]._data
        _update_moments(ops, m, v, g, beta1, beta2)
        denom = ops.tadd(bk.sqrt(bk.divide(v, bias_correction2)), eps)
        mu_product_next = mu_product * mu_next
        ops.set_add(p, ops.tmul(bk.divide(g, denom), -lr * (1.0 - mu) / (1.0 - mu_product)))
        ops.set_add(p, ops.tmul(bk.divide(m, denom), (-lr * mu_next) / (1.0 - mu_product_next)))
        _bump_versions(exp_avgs[i], exp_avg_sqs[i], param)


@_quiet
def radam(
    params: list[Tensor],
    grads: list[Tensor],
    exp_avgs: list[Tensor],
    exp_avg_sqs: list[Tensor],
    state_steps: list[Tensor],
    *,
    beta1: float,
    beta2: float,
    lr: float,
    weight_decay: float,
    eps: float,
    decoupled_weight_decay: bool,
    maximize: bool,
) -> None:
    """RAdam: Adam with the variance rectification (plain momentum SGD while ``rho_t <= 5``)."""
    for i, param in enumerate(params):
        ops, bk, step = _begin(param, state_steps[i])
        p = param._data
        g = _decayed_grad(ops, param, grads[i], maximize, weight_decay, decoupled_weight_decay, lr)
        m, v = exp_avgs[i]._data, exp_avg_sqs[i]._data
        _update_moments(ops, m, v, g, beta1, beta2)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        bias_corrected_exp_avg = bk.divide(m, bias_correction1)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        update = ops.tmul(bias_corrected_exp_avg, lr)
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive_lr = bk.divide(bias_correction2**0.5, ops.tadd(bk.sqrt(v), eps))
            update = ops.tmul(ops.tmul(update, adaptive_lr), rect)
        ops.set_add(p, ops.tmul(update, -1.0))
        _bump_versions(exp_avgs[i], exp_avg_sqs[i], param)
